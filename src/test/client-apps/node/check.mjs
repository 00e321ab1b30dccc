// Runs a module that `redis-tls client export` printed, as an application would: imports the client it exports,
// connects (node-redis waits to be told, ioredis is already on its way), SET then GET, and prints what came back.
// Usage: node check.mjs node-redis|ioredis MODULE KEY VALUE
// The first client error ends the run with exit code 1 and that error's code and message, where an application
// would keep retrying: each way of failing has to show its own cause.
import { pathToFileURL } from 'node:url';

const [client, module, key, value] = process.argv.slice(2);
const { redis } = await import(pathToFileURL(module).href);
redis.on('error', (err) => {
  console.log(`error: ${err.code} ${err.message}`);
  process.exit(1);
});
if (client === 'node-redis') {
  await redis.connect();
}
await redis.set(key, value);
console.log(`${client} GET ${key} = ${await redis.get(key)}`);
// node-redis 5 closes with close() (its quit() is deprecated; a sentinel client has only close()).
await (client === 'node-redis' ? redis.close() : redis.quit());
