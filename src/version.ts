/** The package version, written into every artifact so files say which zkinfer made them. */
export const VERSION = "0.1.0";
