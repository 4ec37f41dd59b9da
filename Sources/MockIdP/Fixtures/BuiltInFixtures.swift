/// The shipped `fixtures/` directory compiled in, used when no fixtures directory exists.
/// `BuiltInFixturesTests` fails if these drift from the files.
enum BuiltInFixtures {
    static let users = #"""
[
  {
    "sub": "alice",
    "username": "alice",
    "password": "alice-password",
    "claims": {
      "name": "Alice Andersen",
      "given_name": "Alice",
      "family_name": "Andersen",
      "preferred_username": "alice",
      "email": "alice@alpha-bank.example",
      "email_verified": true,
      "phone_number": "+31 20 555 0101",
      "phone_number_verified": true,
      "address": {
        "street_address": "Keizersgracht 1",
        "locality": "Amsterdam",
        "postal_code": "1015 CJ",
        "country": "NL"
      },
      "locale": "en-GB",
      "zoneinfo": "Europe/Amsterdam",
      "birthdate": "1990-04-12",
      "updated_at": 1767225600,
      "accounts": ["NL01ALPH0123456789", "NL02ALPH9876543210"]
    },
    "access_token_claims": { "roles": ["customer"], "tenant": "alpha-bank" }
  },
  {
    "sub": "bob",
    "username": "bob",
    "password": "bob-password",
    "claims": {
      "name": "Bob Brown",
      "given_name": "Bob",
      "family_name": "Brown",
      "preferred_username": "bob",
      "email": "bob@alpha-bank.example",
      "email_verified": false,
      "locale": "nl-NL",
      "accounts": ["NL03ALPH1111222233"]
    }
  },
  {
    "sub": "7d0b2f9e-carol",
    "username": "carol",
    "password": "carol-password",
    "claims": {
      "name": "Carol Chen",
      "given_name": "Carol",
      "family_name": "Chen",
      "nickname": "cc",
      "email": "carol@example.org",
      "email_verified": true,
      "phone_number": "+1 415 555 0199",
      "phone_number_verified": false,
      "roles": ["auditor"],
      "accounts": []
    }
  },
  {
    "sub": "dave",
    "claims": {
      "name": "Dave (no password, minimal claims)"
    }
  }
]
"""#

    static let clients = #"""
[
  {
    "client_id": "budgetify",
    "client_secret": "budgetify-secret",
    "redirect_uris": ["http://localhost:3000/callback", "http://127.0.0.1:3000/callback"],
    "post_logout_redirect_uris": ["http://localhost:3000/", "http://127.0.0.1:3000/"],
    "grant_types": [
      "authorization_code",
      "refresh_token",
      "client_credentials",
      "password",
      "urn:ietf:params:oauth:grant-type:device_code"
    ],
    "scopes": ["openid", "profile", "email", "address", "phone", "offline_access", "transactions:read", "transactions:write"],
    "audience": "https://api.alpha-bank.example"
  },
  {
    "client_id": "budgetify-spa",
    "redirect_uris": ["http://localhost:5173/callback", "http://127.0.0.1:5173/callback"],
    "post_logout_redirect_uris": ["http://localhost:5173/"],
    "scopes": ["openid", "profile", "email", "offline_access", "transactions:read"],
    "audience": "https://api.alpha-bank.example",
    "access_token_ttl": 900
  },
  {
    "client_id": "budgetify-tv",
    "grant_types": ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
    "scopes": ["openid", "profile", "offline_access", "transactions:read"],
    "audience": "https://api.alpha-bank.example"
  },
  {
    "client_id": "budgetify-cli",
    "redirect_uris": ["http://127.0.0.1/callback", "com.budgetify.app:/oauth2redirect"],
    "post_logout_redirect_uris": ["http://127.0.0.1/signed-out"],
    "scopes": ["openid", "profile", "offline_access", "transactions:read"],
    "audience": "https://api.alpha-bank.example"
  },
  {
    "client_id": "reconciler",
    "client_secret": "reconciler-secret",
    "grant_types": ["client_credentials"],
    "scopes": ["transactions:read", "transactions:write"],
    "audience": "https://api.alpha-bank.example",
    "access_token_ttl": 300,
    "access_token_claims": { "roles": ["reconciliation"] }
  },
  {
    "client_id": "planner",
    "client_secret": "planner-secret",
    "token_endpoint_auth_method": "client_secret_post",
    "redirect_uris": ["http://localhost:4000/auth/callback"],
    "scopes": ["openid", "profile", "email", "calendar.read", "calendar.write"]
  },
  {
    "client_id": "ledger-service",
    "client_secret": "ledger-service-secret",
    "grant_types": ["urn:ietf:params:oauth:grant-type:token-exchange", "client_credentials"],
    "scopes": ["openid", "profile", "transactions:read", "transactions:write"],
    "audience": "https://ledger.alpha-bank.example"
  }
]
"""#

    static let scopes = #"""
[
  { "name": "openid", "description": "Sign you in (OpenID Connect)" },
  {
    "name": "profile",
    "description": "Your name and basic profile",
    "claims": [
      "name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile",
      "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"
    ]
  },
  { "name": "email", "description": "Your email address", "claims": ["email", "email_verified"] },
  { "name": "address", "description": "Your postal address", "claims": ["address"] },
  { "name": "phone", "description": "Your phone number", "claims": ["phone_number", "phone_number_verified"] },
  { "name": "offline_access", "description": "Stay signed in (refresh tokens)" },
  { "name": "transactions:read", "description": "Read your transactions", "claims": ["accounts"], "access_token_claims": ["accounts"] },
  { "name": "transactions:write", "description": "Make payments from your accounts" },
  { "name": "calendar.read", "description": "Read your calendar" },
  { "name": "calendar.write", "description": "Change your calendar" }
]
"""#
}
