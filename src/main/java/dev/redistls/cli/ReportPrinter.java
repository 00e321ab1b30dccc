package dev.redistls.cli;

import dev.redistls.RedisTlsException;
import dev.redistls.install.Report;
import dev.redistls.node.Verification;
import picocli.CommandLine;

import java.io.PrintWriter;

/** Prints a {@link Report}: what was done, notes, the proof, what to run next; returns the exit code. */
final class ReportPrinter {
    private ReportPrinter() {
    }

    static int print(CommandLine cl, Report report) {
        PrintWriter out = cl.getOut();
        report.doneLines().forEach(out::println);
        report.notes().forEach(n -> out.println("note: " + n));
        Verification v = report.verification();
        if (v != null) {
            out.println(v.passed() ? "Verified:" : "Verification FAILED:");
            for (Verification.Check c : v.checks()) {
                out.printf("  [%s] %s%s%n", c.passed() ? "ok" : "FAIL", c.name(), c.detail().isEmpty() ? "" : " (" + c.detail() + ")");
            }
        }
        if (!report.nextSteps().isEmpty()) {
            out.println("Next:");
            report.nextSteps().forEach(n -> out.println("  " + n));
        }
        if (v != null && !v.passed()) {
            cl.getErr().println("error: applied, but verification failed: " + v.failures().get(0).name()
                    + (v.failures().get(0).detail().isEmpty() ? "" : " (" + v.failures().get(0).detail() + ")"));
            return RedisTlsException.VERIFICATION_FAILED;
        }
        return 0;
    }
}
