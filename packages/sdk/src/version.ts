/** This package's version (checked against package.json by a test). */
export const SDK_VERSION = '0.1.0';
