/**
 * The fleet's notifications: only the leading controller sends them, once per event across
 * failovers, by recording each event in etcd before sending it ({@link
 * org.levee.controller.notify.FleetNotifications}).
 */
package org.levee.controller.notify;
