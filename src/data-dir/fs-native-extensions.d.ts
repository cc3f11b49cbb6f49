/** The part of fs-native-extensions (holepunchto, no bundled types) this project uses. */
declare module 'fs-native-extensions' {
  /** An OS lock on `fd` (Linux: open-file-description lock); false when another holder has it. */
  export function tryLock(fd: number, options?: { shared?: boolean }): boolean;
}
