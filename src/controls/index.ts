export type { OperatorControls } from './operator-controls.ts';
export { ControlCodec } from './control-codec.ts';
export { LogOperatorControls, type LogOperatorControlsOptions } from './log-operator-controls.ts';
export { controlsView, type ControlEntry, type ControlsView } from './controls-view.ts';
export { HttpOperatorControls } from './http-operator-controls.ts';
