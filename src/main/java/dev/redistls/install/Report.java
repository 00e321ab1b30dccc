package dev.redistls.install;

import dev.redistls.node.Verification;

import java.util.ArrayList;
import java.util.List;

/** What a command did, in the words it prints: done lines, notes, next steps, and the live proof. */
public final class Report {
    private final List<String> done = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> next = new ArrayList<>();
    private Verification verification;
    private final Phases phases = new Phases();

    public Report done(String line) {
        done.add(line);
        return this;
    }

    public Report note(String line) {
        notes.add(line);
        return this;
    }

    public Report next(String line) {
        next.add(line);
        return this;
    }

    public void verification(Verification v) {
        this.verification = v;
    }

    public List<String> doneLines() {
        return done;
    }

    public List<String> notes() {
        return notes;
    }

    public List<String> nextSteps() {
        return next;
    }

    /** How long each phase of the command took (for {@code --verbose}). */
    public Phases phases() {
        return phases;
    }

    /** The proof run after the change, or null when the node was not live. */
    public Verification verification() {
        return verification;
    }
}
