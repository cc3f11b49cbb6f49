export { ErrorCodes, type ErrorCode } from './codes.ts';
export { CmlError, isCmlError, type CmlErrorOptions } from './cml-error.ts';
export { userErrorOf } from './user-error.ts';
