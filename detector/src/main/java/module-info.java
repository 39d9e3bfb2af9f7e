/** Levee's detector module: see DESIGN.md's module table for what it owns. */
module org.levee.detector {
    requires transitive org.levee.rules;
    requires transitive org.levee.cbpf;
    requires org.levee.signatures;

    exports org.levee.detector;
    exports org.levee.detector.fingerprint;
    exports org.levee.detector.rate;
    exports org.levee.detector.rule;
    exports org.levee.detector.sample;
    exports org.levee.detector.synth;
}
