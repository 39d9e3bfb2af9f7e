/** The fleet's status read from etcd alone: leader, manifest, registered edges, rules left out. */
package org.levee.controller.fleet;
