package dev.redistls.group;

import dev.redistls.RedisTlsException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Work on several hosts at once: a thread per host (the work is waiting on networks and other machines, not CPU;
 * the common pool has a single thread on a 2-core machine).
 */
final class Parallel {
    private Parallel() {
    }

    /** Applies {@code f} to every item at once; the first failure (in item order) is thrown once all have ended. */
    static <T, R> Map<T, R> map(List<T> items, Function<T, R> f) {
        List<CompletableFuture<R>> futures = new ArrayList<>();
        for (T item : items) {
            CompletableFuture<R> cf = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    cf.complete(f.apply(item));
                } catch (Throwable e) {
                    cf.completeExceptionally(e);
                }
            }, "redis-tls-group");
            t.setDaemon(true);
            t.start();
            futures.add(cf);
        }
        Map<T, R> out = new LinkedHashMap<>();
        RuntimeException first = null;
        for (int i = 0; i < items.size(); i++) {
            try {
                out.put(items.get(i), futures.get(i).join());
            } catch (CompletionException e) {
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException r ? r
                            : RedisTlsException.failed(String.valueOf(e.getCause().getMessage()), e.getCause());
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return out;
    }

    /**
     * Runs {@code change} on every member: hosts at once, the members of one host one after the other. After the first
     * failure no further member starts; those under way finish (each change is whole or undone). Returns the
     * failures, in the order they happened.
     */
    static Map<GroupHosts.GroupMember, RuntimeException> perHost(List<GroupHosts.GroupMember> members,
                                                                 Consumer<GroupHosts.GroupMember> change) {
        Map<Object, List<GroupHosts.GroupMember>> byHost = new LinkedHashMap<>();
        members.forEach(m -> byHost.computeIfAbsent(GroupHosts.hostKey(m), k -> new ArrayList<>()).add(m));
        AtomicBoolean stop = new AtomicBoolean();
        Map<GroupHosts.GroupMember, RuntimeException> failed = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
        map(new ArrayList<>(byHost.keySet()), key -> {
            for (GroupHosts.GroupMember m : byHost.get(key)) {
                if (stop.get()) {
                    return null;
                }
                try {
                    change.accept(m);
                } catch (RuntimeException e) {
                    failed.put(m, e);
                    stop.set(true);
                    return null;
                }
            }
            return null;
        });
        return failed;
    }
}
