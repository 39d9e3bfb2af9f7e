/**
 * What the commands of every package share: {@link org.levee.cli.common.UserException}, the error
 * a user can fix. Below the commands, so that none of their packages depends on another's.
 */
package org.levee.cli.common;
