package dev.redistls.check;

import org.redisson.Redisson;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * Reads a Redisson YAML config (environment variables resolved by Redisson itself), then SET and GET through it,
 * for each key given (several: keys that live on different masters of a cluster).
 * Usage: RedissonCheck CONFIG.yaml KEY[,KEY...] VALUE. A failure to connect is Redisson's exception, exit code 1.
 */
public final class RedissonCheck {
    public static void main(String[] args) throws Exception {
        RedissonClient redisson = Redisson.create(new OneAttempt(Config.fromYAML(new File(args[0]))));
        try {
            for (String key : args[1].split(",")) {
                RBucket<String> bucket = redisson.getBucket(key, StringCodec.INSTANCE);
                bucket.set(args[2]);
                System.out.println("Redisson GET " + key + " = " + bucket.get());
            }
        } finally {
            redisson.shutdown(0, 5, TimeUnit.SECONDS);
        }
    }

    /**
     * The YAML's config, as is, but one attempt per connection and command: a refused handshake is reported at
     * once instead of after Redisson's retries (seconds each); and one idle connection per node at start instead of
     * 24 (a run of two commands needs no more; with a cluster's three masters that is 72 TLS handshakes fewer).
     * Nothing about TLS or about where to connect changes.
     */
    private static final class OneAttempt extends Config {
        OneAttempt(Config yaml) {
            super(yaml);
            if (isSentinelConfig()) {
                getSentinelServersConfig().setRetryAttempts(0).setMasterConnectionMinimumIdleSize(1)
                        .setSlaveConnectionMinimumIdleSize(1);
            } else if (isClusterConfig()) {
                getClusterServersConfig().setRetryAttempts(0).setMasterConnectionMinimumIdleSize(1)
                        .setSlaveConnectionMinimumIdleSize(1);
            } else {
                getSingleServerConfig().setRetryAttempts(0).setConnectionMinimumIdleSize(1);
            }
        }
    }
}
