/**
 * The node as an edge of the fleet ({@code levee run --etcd … --sflow …}): samples exported as
 * sFlow to the controllers instead of an embedded detector; the fleet's rule set followed in etcd,
 * verified, specialised for the edge's data center and swapped in, kept on disk and kept running
 * when the store is away (fail static); the edge's own local rules in a second rules stage; the
 * edge's registration in etcd. docs/fleet.md ("Edges") explains the choices.
 */
package org.levee.agent.fleet;
