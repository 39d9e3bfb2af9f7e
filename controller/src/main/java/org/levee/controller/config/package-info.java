/** The controller's configuration: the YAML file and its defaults (flags win over the file). */
package org.levee.controller.config;
