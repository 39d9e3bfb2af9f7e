/** {@code levee api …}: the APIs' own housekeeping (their bearer token). */
package org.levee.cli.api;
