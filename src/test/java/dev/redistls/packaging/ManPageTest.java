package dev.redistls.packaging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Man pages written from a picocli model: every visible option and subcommand, nothing hidden, valid troff. */
class ManPageTest {

    @Command(name = "tool", exitCodeList = {"0:done", "2:bad usage or input"}, subcommands = Group.class)
    static final class Tool {
    }

    @Command(name = "group", description = "Looks after groups. Of nodes.", subcommands = Run.class)
    static final class Group {
        @Option(names = {"-p", "--port"}, paramLabel = "N", description = "The port (default: 6379).") int port;
        @Option(names = "--live", negatable = true, description = "Apply live.") boolean live;
        @Option(names = "--san", paramLabel = "VALUE", description = "An extra name (repeatable).") List<String> sans;
        @Option(names = "--backend", paramLabel = "auto|nft|none", description = "Which firewall.") String backend;
        @Option(names = "--netns", hidden = true, description = "For tests only.") String netns;
    }

    @Command(name = "run", description = {"Runs it.", "Then stops — at once.%nOn a new line."})
    static final class Run {
        @Parameters(paramLabel = "FILE", description = "The file, e.g. .hidden or C:\\x.") Path file;
    }

    @Test
    void writesACommandsPageWithItsSubcommandsAsSections() {
        CommandLine tool = new CommandLine(new Tool());
        ManPage man = new ManPage(tool.getCommandSpec(), "1.2.3", "2025-01-31");

        String page = man.render(tool.getSubcommands().get("group").getCommandSpec());

        assertThat(page).isEqualTo("""
                .TH "TOOL\\-GROUP" 1 "2025\\-01\\-31" "redis\\-tls 1.2.3" "redis\\-tls manual"
                .nr HY 0
                .nh
                .ad l
                .SH NAME
                tool\\-group \\- Looks after groups.
                .SH SYNOPSIS
                .SY "tool group"
                [\\fB\\-\\-backend\\fR=\\fIauto|\\:nft|\\:none\\fR]
                [\\fB\\-\\-[no\\-]live\\fR]
                [\\fB\\-\\-port\\fR=\\fIN\\fR]
                [\\fB\\-\\-san\\fR=\\fIVALUE\\fR]...
                \\fICOMMAND\\fR
                .YS
                .SH DESCRIPTION
                Looks after groups. Of nodes.
                .SH OPTIONS
                .TP
                \\fB\\-\\-backend\\fR=\\fIauto|\\:nft|\\:none\\fR
                Which firewall.
                .TP
                \\fB\\-\\-[no\\-]live\\fR
                Apply live.
                .TP
                \\fB\\-p\\fR, \\fB\\-\\-port\\fR=\\fIN\\fR
                The port (default: 6379).
                .TP
                \\fB\\-\\-san\\fR=\\fIVALUE\\fR
                An extra name (repeatable).
                .SH COMMANDS
                .SS "tool group run"
                .SY "tool group run"
                \\fIFILE\\fR
                .YS
                .PP
                Runs it.
                .br
                Then stops \\(em at once.
                .br
                On a new line.
                .TP
                \\fIFILE\\fR
                The file, e.g. .hidden or C:\\ex.
                .SH "EXIT STATUS"
                .TP
                \\fB0\\fR
                done
                .TP
                \\fB2\\fR
                bad usage or input
                .SH "SEE ALSO"
                \\fBtool\\fR(1),
                \\fBredis\\-server\\fR(1),
                \\fBredis\\-cli\\fR(1)
                """);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "--tls-port        | \\-\\-tls\\-port",
            ".starts a request | \\&.starts a request",
            "'starts one too   | \\&'starts one too",
            "back\\slash       | back\\eslash",
            "a — b – c…        | a \\(em b \\(en c...",
            "café              | caf\\[u00E9]",
    })
    void makesTextSafeForTroff(String in, String out) {
        assertThat(ManPage.text(in)).isEqualTo(out);
    }

    @Test
    void pageNamesFollowTheCommandPath() {
        CommandLine tool = new CommandLine(new Tool());
        assertThat(ManPage.name(tool.getCommandSpec())).isEqualTo("tool");
        assertThat(ManPage.name(tool.getSubcommands().get("group").getSubcommands().get("run").getCommandSpec()))
                .isEqualTo("tool-group-run");
    }
}
