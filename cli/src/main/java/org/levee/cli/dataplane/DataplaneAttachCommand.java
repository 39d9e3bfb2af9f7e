package org.levee.cli.dataplane;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.levee.cli.common.UserException;
import org.levee.dataplane.Attachment;
import org.levee.dataplane.DataplaneException;
import org.levee.dataplane.PinLayout;
import org.levee.dataplane.XdpDataPlane;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.ebpf.BpfException;
import org.levee.ebpf.XdpMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code levee dataplane attach -i IFACE [--netns NAME] --ruleset RULES.o [--datacenter DC] [--sample-rate N] [--generic]}. */
@Command(
        name = "attach",
        mixinStandardHelpOptions = true,
        description =
                "Load a rule-set object for a data center and attach it (bpf_link, pinned), or replace the program"
                        + " already attached with BPF_LINK_UPDATE, atomically.")
public final class DataplaneAttachCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    InterfaceOptions target;

    @Option(
            names = "--ruleset",
            required = true,
            paramLabel = "OBJECT",
            description = "an object made by 'levee ruleset compile'")
    Path ruleset;

    @Option(names = "--datacenter", paramLabel = "DC", description = "enable the rules of this data center")
    String datacenter;

    @Option(
            names = "--sample-rate",
            paramLabel = "N",
            description = "sample 1 packet in N (0: off; default: keep, or 1000 at first attach)")
    Integer sampleRate;

    @Option(names = "--generic", description = "attach in generic (skb) mode instead of native")
    boolean generic;

    @Override
    public Integer call() {
        PinLayout layout = target.layout();
        RuleSetObject object = RulesetInspectCommand.read(ruleset);
        Attachment.Result result;
        XdpDataPlane dataPlane = null;
        try {
            dataPlane = XdpDataPlane.open(
                    target.iface(),
                    target.netns(),
                    generic ? XdpMode.GENERIC : XdpMode.NATIVE,
                    sampleRate == null ? Attachment.DEFAULT_SAMPLE_RATE : sampleRate);
            result = dataPlane.install(object, datacenter, sampleRate);
        } catch (DataplaneException e) {
            throw new UserException(e.getMessage(), e);
        } catch (BpfException e) {
            throw new UserException(
                    "the kernel refused the program of " + ruleset + ": "
                            + e.getMessage().lines().findFirst().orElse(""),
                    e);
        } finally {
            if (dataPlane != null) {
                dataPlane.close(false); // the program stays attached: that is what the command is for
            }
        }
        spec.commandLine()
                .getOut()
                .printf(
                        "%s %s: program %d, version %s, %d of %d rules enabled%s%n",
                        result.replaced() ? "replaced the program on" : "attached to",
                        layout.describe(),
                        result.programId(),
                        object.version(),
                        result.enabled(),
                        object.rules().size(),
                        datacenter == null ? "" : " in " + datacenter);
        return 0;
    }
}
