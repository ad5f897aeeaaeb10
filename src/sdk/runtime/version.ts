/** This package's version, sent in `User-Agent` (a test keeps it equal to package.json). */
export const SDK_VERSION = "0.1.0";

export const USER_AGENT = `portone-bff/${SDK_VERSION}`;
