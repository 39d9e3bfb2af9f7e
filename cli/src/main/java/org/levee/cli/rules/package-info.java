/** {@code levee rules}: the rules of a running node through its HTTP API. */
package org.levee.cli.rules;
