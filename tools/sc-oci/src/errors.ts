// The failures sc-oci reports as runc does: one line, exit 1. Apart from the commands, so the front end can
// tell them without loading any command's code.

/** A failure of a command. */
export class OciError extends Error {}

/** A config.json (or an exec --process file, or update's resources) that asks for what sc-oci cannot do. */
export class ConfigError extends Error {}
