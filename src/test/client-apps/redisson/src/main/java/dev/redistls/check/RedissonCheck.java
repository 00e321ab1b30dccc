package dev.redistls.check;

import org.redisson.Redisson;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * Reads a Redisson YAML config (environment variables resolved by Redisson itself), then SET and GET through it.
 * Usage: RedissonCheck CONFIG.yaml KEY VALUE. A failure to connect is Redisson's exception, exit code 1.
 */
public final class RedissonCheck {
    public static void main(String[] args) throws Exception {
        RedissonClient redisson = Redisson.create(new OneAttempt(Config.fromYAML(new File(args[0]))));
        try {
            RBucket<String> bucket = redisson.getBucket(args[1], StringCodec.INSTANCE);
            bucket.set(args[2]);
            System.out.println("Redisson GET " + args[1] + " = " + bucket.get());
        } finally {
            redisson.shutdown(0, 5, TimeUnit.SECONDS);
        }
    }

    /**
     * The YAML's config, as is, but one attempt per connection and command: a refused handshake is reported at
     * once instead of after Redisson's retries (seconds each), and nothing about TLS changes.
     */
    private static final class OneAttempt extends Config {
        OneAttempt(Config yaml) {
            super(yaml);
            getSingleServerConfig().setRetryAttempts(0);
        }
    }
}
