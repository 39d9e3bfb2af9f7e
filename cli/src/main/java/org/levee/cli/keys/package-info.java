/**
 * {@code levee keys}: the Ed25519 keys that sign the fleet's rule sets (docs/security.md, "Signed
 * rule sets"): {@code generate} writes a key pair, {@code id} names the key in a file.
 */
package org.levee.cli.keys;
