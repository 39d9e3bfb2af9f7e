/**
 * The GoBGP speaker ({@code gobgpd}, Debian package {@code gobgpd}) driven through its own command
 * line client {@code gobgp}, which speaks gobgpd's gRPC API: commands to add and delete routes and
 * neighbours, JSON to read the speaker's routes back.
 */
package org.levee.upstream.gobgp;
