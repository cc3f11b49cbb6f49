import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * A check of an LMDB data file read with plain file reads, before LMDB maps it: LMDB trusts its
 * pages, so a truncated file makes it touch memory past the end of the mapping (SIGBUS) and a
 * garbled page sends it to wild addresses (SIGSEGV), which no JavaScript can catch. Read here, the
 * same damage is an answer. The layout is that of the LMDB bundled with lmdb-js 3 (data format 2:
 * 24-byte page headers, overflow references of 24 bytes).
 */
export interface LmdbFileReport {
  /** What is wrong, one line each; empty when the file is sound. */
  readonly problems: string[];
  /** Pages walked (0 when only the header was checked). */
  readonly pagesWalked: number;
  readonly pageSize?: number;
  readonly lastPage?: number;
  readonly fileBytes: number;
}

const MAGIC = 0xbeefc0de;
const DATA_VERSION = 2;
const HEADER = 24;
const NODE = 8;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_OVERFLOW = 0x04;
const P_META = 0x08;
const P_LEAF2 = 0x20;
const F_BIGDATA = 0x01;
const F_SUBDATA = 0x02;
const F_DUPDATA = 0x04;
const META = HEADER; // the meta struct follows the page header
const DB_BYTES = 48;
const DB_ROOT = 40;
const DB_DEPTH = 6;
const P_INVALID = 0xffffffffffffffffn;
/** Pages per read while walking, and the blocks kept (64 MB at 4 KB pages). */
const BLOCK_PAGES = 256;
const MAX_BLOCKS = 64;
/** The problems listed before the rest are summed up as "... and N more". */
const MAX_LISTED = 20;

interface Meta {
  readonly pageSize: number;
  readonly lastPage: number;
  readonly txnid: bigint;
  readonly roots: ReadonlyArray<{ root: bigint; depth: number }>;
}

/** One meta page (0 or 1), or why it is not one. */
function readMeta(page: Buffer, pgno: number): Meta | string {
  const flags = page.readUInt16LE(18);
  const magic = page.readUInt32LE(META);
  if (magic !== MAGIC || (flags & P_META) === 0)
    return `meta page ${pgno} is not an LMDB header (magic ${magic.toString(16)})`;
  const version = page.readUInt32LE(META + 4);
  if (version !== DATA_VERSION)
    return `meta page ${pgno} has data version ${version}, expected ${DATA_VERSION}`;
  const dbs = META + 24;
  const pageSize = page.readUInt32LE(dbs);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0)
    return `meta page ${pgno} names an impossible page size ${pageSize}`;
  const lastPage = page.readBigUInt64LE(dbs + 2 * DB_BYTES);
  if (lastPage > BigInt(Number.MAX_SAFE_INTEGER)) return `meta page ${pgno} names last page ${lastPage}`;
  return {
    pageSize,
    lastPage: Number(lastPage),
    txnid: page.readBigUInt64LE(dbs + 2 * DB_BYTES + 8),
    roots: [0, 1].map((i) => ({
      root: page.readBigUInt64LE(dbs + i * DB_BYTES + DB_ROOT),
      depth: page.readUInt16LE(dbs + i * DB_BYTES + DB_DEPTH),
    })),
  };
}

/**
 * Checks the file at `path`: both meta pages, the file size against the newest meta's last page,
 * and with `walk` every page reachable from the roots (the free list, the main tree, each named
 * database): page numbers in range and matching their place, page kinds, node offsets and sizes
 * within their page, overflow runs within the file, no page reached twice. Reads only.
 */
export function checkLmdbFile(path: string, options: { walk: boolean }): LmdbFileReport {
  const fd = openSync(path, 'r');
  try {
    return checkOpenFile(fd, options.walk);
  } finally {
    closeSync(fd);
  }
}

function checkOpenFile(fd: number, walk: boolean): LmdbFileReport {
  const fileBytes = fstatSync(fd).size;
  const problems: string[] = [];
  const report = (pagesWalked: number, meta?: Meta): LmdbFileReport => ({
    problems:
      problems.length > MAX_LISTED
        ? [...problems.slice(0, MAX_LISTED), `... and ${problems.length - MAX_LISTED} more`]
        : problems,
    pagesWalked,
    fileBytes,
    ...(meta === undefined ? {} : { pageSize: meta.pageSize, lastPage: meta.lastPage }),
  });
  const read = (offset: number, length: number): Buffer => {
    const buffer = Buffer.alloc(length);
    const got = readSync(fd, buffer, 0, length, offset);
    return got === length ? buffer : buffer.subarray(0, got);
  };
  const first = read(0, 4096);
  if (first.length < HEADER + 160) {
    problems.push(`the file holds ${fileBytes} bytes, less than an LMDB header`);
    return report(0);
  }
  const meta0 = readMeta(first, 0);
  const pageSize = typeof meta0 === 'string' ? 4096 : meta0.pageSize;
  const second = read(pageSize, pageSize);
  const meta1 = second.length >= HEADER + 160 ? readMeta(second, 1) : 'meta page 1 is missing';
  for (const meta of [meta0, meta1]) if (typeof meta === 'string') problems.push(meta);
  if (typeof meta0 === 'string' || typeof meta1 === 'string') return report(0);
  if (meta0.pageSize !== meta1.pageSize)
    problems.push(`the meta pages disagree on the page size (${meta0.pageSize}, ${meta1.pageSize})`);
  const meta = meta0.txnid >= meta1.txnid ? meta0 : meta1;
  // The last page in use may lie past the end of the file when the last transaction freed the
  // final pages it allocated (LMDB never wrote them): only pages the trees reach must be there.
  const pages = Math.floor(fileBytes / meta.pageSize);
  for (const [i, { root }] of meta.roots.entries())
    if (root !== P_INVALID && root >= BigInt(pages))
      problems.push(
        `the file is truncated: ${fileBytes} bytes (${pages} pages), but the ${i === 0 ? 'free-page list' : 'main database'} starts at page ${root}`,
      );
  if (problems.length > 0 || !walk) return report(0, meta);
  return report(walkTrees(meta, pages, read, problems), meta);
}

/** Walks every tree from the meta's roots; returns the number of pages visited. */
function walkTrees(
  meta: Meta,
  filePages: number,
  read: (offset: number, length: number) => Buffer,
  problems: string[],
): number {
  const { pageSize, lastPage } = meta;
  const seen = new Set<number>();
  // Pages are read in blocks: trees written in key order sit mostly in file order.
  const blocks = new Map<number, Buffer>();
  const pageAt = (pgno: number): Buffer => {
    const block = Math.floor(pgno / BLOCK_PAGES);
    let bytes = blocks.get(block);
    if (bytes === undefined) {
      if (blocks.size >= MAX_BLOCKS) blocks.delete(blocks.keys().next().value as number);
      bytes = read(block * BLOCK_PAGES * pageSize, BLOCK_PAGES * pageSize);
      blocks.set(block, bytes);
    }
    const at = (pgno % BLOCK_PAGES) * pageSize;
    return bytes.subarray(at, at + pageSize);
  };
  const inRange = (pgno: bigint): boolean => pgno >= 2n && pgno <= BigInt(lastPage);

  const walkOverflow = (pgno: bigint, pages: bigint, bytes: number, where: string): void => {
    if (!inRange(pgno) || pages < 1n || pgno + pages - 1n > BigInt(lastPage)) {
      problems.push(`${where}: overflow run ${pgno}+${pages} lies outside the file's pages`);
      return;
    }
    if (pgno + pages > BigInt(filePages)) {
      problems.push(
        `${where}: overflow pages ${pgno}..${pgno + pages - 1n} lie past the end of the file (truncated)`,
      );
      return;
    }
    const start = Number(pgno);
    const page = pageAt(start);
    if (page.readBigUInt64LE(0) !== pgno || (page.readUInt16LE(18) & P_OVERFLOW) === 0)
      problems.push(`${where}: page ${start} is not the overflow page it should be`);
    else if (bytes > Number(pages) * pageSize - HEADER)
      problems.push(`${where}: ${bytes} bytes do not fit in ${pages} overflow pages`);
    for (let p = start; p < start + Number(pages); p++) seen.add(p);
  };

  const walkTree = (root: bigint, depth: number, where: string): void => {
    if (root === P_INVALID) return;
    const visit = (pgno: bigint, level: number): void => {
      if (!inRange(pgno)) {
        problems.push(`${where}: reference to page ${pgno}, outside pages 2..${lastPage}`);
        return;
      }
      const n = Number(pgno);
      if (n >= filePages) {
        problems.push(`${where}: page ${n} lies past the end of the file (${filePages} pages): truncated`);
        return;
      }
      if (seen.has(n)) {
        problems.push(`${where}: page ${n} is reached twice`);
        return;
      }
      seen.add(n);
      if (level > Math.max(depth, 1) + 1) {
        problems.push(`${where}: page ${n} lies deeper than the tree's depth ${depth}`);
        return;
      }
      const page = pageAt(n);
      if (page.readBigUInt64LE(0) !== pgno) {
        problems.push(`${where}: page ${n} says it is page ${page.readBigUInt64LE(0)} (overwritten?)`);
        return;
      }
      const flags = page.readUInt16LE(18);
      const kind = flags & (P_BRANCH | P_LEAF | P_OVERFLOW | P_META);
      if (kind !== P_BRANCH && kind !== P_LEAF) {
        problems.push(`${where}: page ${n} has kind ${flags.toString(16)}, not a branch or leaf`);
        return;
      }
      const lower = page.readUInt16LE(20);
      const upper = page.readUInt16LE(22);
      if (lower % 2 !== 0 || lower > upper || HEADER + upper > pageSize) {
        problems.push(`${where}: page ${n} has impossible bounds (lower ${lower}, upper ${upper})`);
        return;
      }
      if ((flags & P_LEAF2) !== 0) return; // fixed-size duplicates: keys only, nothing to follow
      for (let i = 0; i < lower / 2; i++) {
        const node = HEADER + page.readUInt16LE(HEADER + 2 * i);
        if (node < HEADER + upper || node + NODE > pageSize) {
          problems.push(`${where}: page ${n} node ${i} lies outside the page's data`);
          return;
        }
        const lo = page.readUInt16LE(node);
        const hi = page.readUInt16LE(node + 2);
        const nodeFlags = page.readUInt16LE(node + 4);
        const keySize = page.readUInt16LE(node + 6);
        const dataAt = node + NODE + keySize;
        if (kind === P_BRANCH) {
          if (dataAt > pageSize) {
            problems.push(`${where}: page ${n} node ${i} has a key past the page's end`);
            return;
          }
          visit(BigInt(lo) | (BigInt(hi) << 16n) | (BigInt(nodeFlags) << 32n), level + 1);
          continue;
        }
        const dataSize = lo | (hi << 16);
        const stored = (nodeFlags & F_BIGDATA) !== 0 ? 24 : dataSize;
        if (dataAt + stored > pageSize) {
          problems.push(`${where}: page ${n} node ${i} has data past the page's end`);
          return;
        }
        if ((nodeFlags & F_BIGDATA) !== 0)
          walkOverflow(page.readBigUInt64LE(dataAt), page.readBigUInt64LE(dataAt + 16), dataSize, where);
        else if ((nodeFlags & F_SUBDATA) !== 0 && stored >= DB_BYTES) {
          const name = page.toString('utf8', node + NODE, dataAt).replace(/\0+$/, '');
          const sub = (nodeFlags & F_DUPDATA) !== 0 ? `${where} duplicates` : `database "${name}"`;
          walkTree(page.readBigUInt64LE(dataAt + DB_ROOT), page.readUInt16LE(dataAt + DB_DEPTH), sub);
        }
      }
    };
    visit(root, 1);
  };

  const [free, main] = meta.roots as [Meta['roots'][number], Meta['roots'][number]];
  walkTree(free.root, free.depth, 'free-page list');
  walkTree(main.root, main.depth, 'main database');
  return seen.size;
}
