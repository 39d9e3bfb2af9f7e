/** The controller's one detector over every data center's samples, behind one lock. */
package org.levee.controller.detect;
