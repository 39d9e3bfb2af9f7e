/** {@code levee controller} and {@code levee fleet status}: the fleet's control plane from the command line. */
package org.levee.cli.fleet;
