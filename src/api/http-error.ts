import { CmlError, ErrorCodes, type ErrorCode } from '../errors/index.ts';

/** An error the API answers with on purpose: its HTTP status, stable code and a message for the caller. */
export class HttpError extends CmlError {
  constructor(
    readonly statusCode: number,
    code: ErrorCode,
    message: string,
    /** Extra fields of the response body, e.g. the order's status on a conflict. */
    readonly body: Readonly<Record<string, string>> = {},
  ) {
    super(code, message);
  }
}

export const badRequest = (message: string): HttpError =>
  new HttpError(400, ErrorCodes.API_BAD_REQUEST, message);

export const notFound = (message: string): HttpError => new HttpError(404, ErrorCodes.API_NOT_FOUND, message);
