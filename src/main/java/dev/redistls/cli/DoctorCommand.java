package dev.redistls.cli;

import dev.redistls.RedisTlsException;
import dev.redistls.install.Doctor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Run every check (files, permissions, expiry, names, CA, TLS policy, live config, handshake); each failure comes with its fix.")
final class DoctorCommand implements Callable<Integer> {
    @Mixin NodeOptions node;
    @Mixin CaHomeOption ca;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        List<Doctor.Finding> findings;
        try (OpenNode open = node.open(spec, false)) {
            findings = Doctor.examine(open.node(), ca.caHome());
        }
        PrintWriter out = spec.commandLine().getOut();
        long failed = 0;
        for (Doctor.Finding f : findings) {
            out.printf("[%s] %s%s%n", f.ok() ? "ok" : "FAIL", f.check(), f.detail().isEmpty() ? "" : " (" + f.detail() + ")");
            if (!f.ok()) {
                failed++;
                out.printf("       fix: %s%n", f.fix());
            }
        }
        if (failed > 0) {
            spec.commandLine().getErr().println("error: " + failed + " of " + findings.size() + " checks failed; each FAIL above shows its fix");
            return RedisTlsException.FAILED;
        }
        out.printf("All %d checks passed.%n", findings.size());
        return 0;
    }
}
