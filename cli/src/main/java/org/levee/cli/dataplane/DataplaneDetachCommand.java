package org.levee.cli.dataplane;

import java.util.concurrent.Callable;
import org.levee.cli.common.UserException;
import org.levee.dataplane.Attachment;
import org.levee.dataplane.DataplaneException;
import org.levee.dataplane.PinLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code levee dataplane detach -i IFACE [--netns NAME]}. */
@Command(
        name = "detach",
        mixinStandardHelpOptions = true,
        description = "Detach the program of an interface and remove everything levee pinned for it.")
public final class DataplaneDetachCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    InterfaceOptions target;

    @Override
    public Integer call() {
        PinLayout layout = target.layout();
        boolean detached;
        try {
            detached = Attachment.detach(layout);
        } catch (DataplaneException e) {
            throw new UserException(e.getMessage(), e);
        }
        if (!detached) {
            throw new UserException("nothing is attached to " + layout.describe() + " (no " + layout.directory() + ")");
        }
        spec.commandLine().getOut().println("detached from " + layout.describe());
        return 0;
    }
}
