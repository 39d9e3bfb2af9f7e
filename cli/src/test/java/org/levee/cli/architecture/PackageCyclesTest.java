package org.levee.cli.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Arrows point one way: no package of Levee's main code depends, directly or through others, on a
 * package that depends on it. The cli's tests see every module's classes (the cli depends on all
 * of them), so the check covers the whole program, module boundaries included.
 */
@Tag("kernel")
class PackageCyclesTest {

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar")) // test-jars from the local repository
                .importPackages("org.levee");
    }

    /** One slice per package: org.levee.rules, org.levee.dataplane.program, … */
    private static ArchRule noCycles() {
        return slices().matching("org.levee.(**)")
                .namingSlices("$1")
                .should()
                .beFreeOfCycles()
                // The one cycle left, inside the ebpf module: its unexported internal package (the
                // raw syscalls) throws the public exceptions of org.levee.ebpf and takes its command
                // enum. Moving BpfCommand, BpfException and SyscallException to a package of their
                // own ends it; that changes the imports of every module, so it is not done here.
                .ignoreDependency(resideInAPackage("org.levee.ebpf.internal"), resideInAPackage("org.levee.ebpf"));
    }

    @Test
    void everyModuleIsChecked() {
        for (String type : new String[] {
            "org.levee.ebpf.BpfMap",
            "org.levee.cbpf.CbpfProgram",
            "org.levee.compiler.FilterChain",
            "org.levee.signatures.DnsQueryFilter",
            "org.levee.rules.Rule",
            "org.levee.dataplane.XdpDataPlane",
            "org.levee.capture.CaptureHook",
            "org.levee.detector.Detector",
            "org.levee.agent.Agent",
            "org.levee.cli.Main",
            "org.levee.netns.NetnsLab",
            "org.levee.sflow.SflowDecoder",
            "org.levee.store.RulesetStore",
            "org.levee.lab.DemoLab",
            "org.levee.bench.DropBenchmark",
            "org.levee.controller.Controller",
            "org.levee.config.ConfigReader",
            "org.levee.controller.rules.AutoRuleSync"
        }) {
            assertThat(main.contain(type)).as(type).isTrue();
        }
        assertThat(main.stream()
                        // JMH names the harness it generates for the bench module's microbenchmarks *_jmhTest.
                        .filter(c -> c.isTopLevelClass()
                                && c.getSimpleName().endsWith("Test")
                                && !c.getPackageName().equals("org.levee.bench.jmh_generated"))
                        .map(c -> c.getName() + " "
                                + c.getSource().map(Object::toString).orElse(""))
                        .toList())
                .as("no test classes")
                .isEmpty();
    }

    @Test
    void packagesFormNoCycle() {
        noCycles().check(main);
    }

    @Test
    void theCheckFindsACycle() {
        JavaClasses fixtures = new ClassFileImporter()
                .importClasses(org.levee.cli.architecture.one.First.class, org.levee.cli.architecture.two.Second.class);
        assertThat(noCycles().evaluate(fixtures).hasViolation())
                .as("two packages that use each other")
                .isTrue();
    }
}
