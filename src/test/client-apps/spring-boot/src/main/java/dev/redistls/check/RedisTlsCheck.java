package dev.redistls.check;

import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * SET then GET through the StringRedisTemplate that Boot builds from the properties it was given, for each key of
 * check.key (comma-separated: keys that live on different masters of a cluster); prints what came back. A failure to
 * connect ends the run with Boot's own report and exit code 1.
 */
@SpringBootApplication
public class RedisTlsCheck {
    public static void main(String[] args) {
        System.exit(SpringApplication.exit(SpringApplication.run(RedisTlsCheck.class, args)));
    }

    @Bean
    CommandLineRunner setThenGet(StringRedisTemplate redis, Environment env) {
        return args -> {
            for (String key : env.getRequiredProperty("check.key").split(",")) {
                redis.opsForValue().set(key, env.getRequiredProperty("check.value"));
                System.out.println("Spring Boot " + SpringBootVersion.getVersion() + " GET " + key + " = "
                        + redis.opsForValue().get(key));
            }
        };
    }
}
