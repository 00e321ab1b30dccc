package dev.redistls.cli;

import dev.redistls.demo.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Secure a throwaway local redis-server end to end, show it working, then remove it.")
final class DemoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        return new Demo(spec.commandLine().getOut()).run();
    }
}
