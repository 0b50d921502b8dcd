// A real OpenID Connect provider on loopback for the browser tests
// (oauth2-mock-server): it approves every login as "johndoe".
import { OAuth2Server } from "oauth2-mock-server";

const port = Number(process.env.OIDC_PORT ?? 3918);
const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
server.service.on("beforeUserinfo", (res) => {
  res.body = { sub: "johndoe", email: "johndoe@example.com", email_verified: true, preferred_username: "johndoe" };
});
await server.start(port, "127.0.0.1");
// name the issuer as clients reach it (the default says "localhost")
server.issuer.url = `http://127.0.0.1:${port}`;
console.log(`OIDC provider at ${server.issuer.url}`);
