// A real OpenID Connect provider for the test suite, with its development login and consent pages.
// Any login name signs in as itself: the name is the email address the provider vouches for.
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://localhost:${port}`;
const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: process.env.REDIRECT_URIS.split(","),
    token_endpoint_auth_method: "client_secret_post",
  }],
  jwks: JSON.parse(readFileSync(process.env.JWKS_FILE, "utf8")),
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "given_name", "family_name"] },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, email: sub, email_verified: true, name: "Ann Wanjiru", given_name: "Ann", family_name: "Wanjiru" };
      },
    };
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => false },
});
provider.listen(port, "127.0.0.1", () => console.log(`ready ${issuer}`));
