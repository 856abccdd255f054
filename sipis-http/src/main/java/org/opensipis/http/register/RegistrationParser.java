package org.opensipis.http.register;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.opensipis.core.instance.DeviceToken;
import org.opensipis.core.instance.InstanceRecord;
import org.opensipis.core.instance.SipAccount;
import org.opensipis.core.settings.Secret;
import org.opensipis.core.shard.Selector;

/**
 * Reads and validates a {@code /sipis/*} JSON body field by field (see docs/http-api.md).
 * Stateless; one call per request.
 */
final class RegistrationParser {

    static final int MAX_TOKENS = 8;
    private static final Set<String> TOP = Set.of("action", "selector", "appId", "premium", "foreground",
            "appSecret", "account", "tokens");
    private static final Set<String> ACCOUNT = Set.of("user", "authUser", "password", "domain", "proxy", "port",
            "transport", "displayName", "expires");
    private static final Set<String> TOKEN = Set.of("platform", "kind", "appId", "token");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\]");
    private static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?");
    private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9._:-]+");

    private RegistrationParser() {
    }

    /** What a body asks for; {@code record} is set for register, {@code tokens} for register and tokens. */
    record Parsed(Action action, String selector, Optional<String> appId, Optional<InstanceRecord> record,
                  Optional<Boolean> foreground, List<DeviceToken> tokens) {
    }

    static Parsed parse(JsonNode body, Action pathAction, Instant now, FieldErrors err) {
        err.unknown(body, "", TOP);
        Action action = pathAction;
        Optional<String> a = err.string(body, "action", "", 32);
        if (a.isPresent()) {
            Optional<Action> parsed = Action.parse(a.get());
            if (parsed.isEmpty()) {
                err.add("action", "must be one of " + Action.names());
            } else if (pathAction != Action.REGISTER && parsed.get() != pathAction) {
                err.add("action", "\"" + a.get() + "\" contradicts the path, which means " + pathAction.word());
            } else {
                action = parsed.get();
            }
        }
        String selector = null;
        Optional<String> sel = err.required(body, "selector", "", Selector.MAX_LENGTH * 2);
        if (sel.isPresent()) {
            try {
                selector = Selector.normalise(sel.get().trim());
            } catch (IllegalArgumentException e) {
                err.add("selector", e.getMessage());
            }
        }
        boolean needsAll = action == Action.REGISTER;
        Optional<String> appId = needsAll ? err.required(body, "appId", "", 255) : err.string(body, "appId", "", 255);
        if (appId.isPresent() && !APP_ID.matcher(appId.get()).matches()) {
            err.add("appId", "must be letters, digits and . _ : - (a bundle id or package name)");
            appId = Optional.empty();
        }
        Optional<Boolean> foreground = body.hasNonNull("foreground")
                ? Optional.of(err.bool(body, "foreground", "", false)) : Optional.empty();
        List<DeviceToken> tokens = List.of();
        if (action == Action.REGISTER || action == Action.TOKENS) {
            tokens = tokens(body, appId.orElse(""), now, err);
        } else if (body.has("tokens")) {
            err.add("tokens", "not allowed with action " + action.word());
        }
        Optional<InstanceRecord> record = Optional.empty();
        if (action == Action.REGISTER) {
            boolean premium = err.bool(body, "premium", "", false);
            Optional<String> secret = err.required(body, "appSecret", "", 256);
            SipAccount account = account(body, err);
            if (err.isEmpty()) {
                record = Optional.of(new InstanceRecord(selector, appId.orElseThrow(), premium, account,
                        Secret.of(secret.orElseThrow()), tokens, now, foreground.orElse(false)));
            }
        } else {
            for (String f : new String[] {"account", "appSecret", "premium"}) {
                if (body.has(f)) {
                    err.add(f, "not allowed with action " + action.word());
                }
            }
        }
        return new Parsed(action, selector, appId, record, foreground, tokens);
    }

    private static SipAccount account(JsonNode body, FieldErrors err) {
        JsonNode acc = body.get("account");
        if (acc == null || acc.isNull()) {
            err.add("account", "is required");
            return null;
        }
        if (!acc.isObject()) {
            err.add("account", "must be an object");
            return null;
        }
        String p = "account.";
        err.unknown(acc, p, ACCOUNT);
        Optional<String> user = err.noSpaces(err.required(acc, "user", p, 128), p + "user");
        Optional<String> authUser = err.noSpaces(err.string(acc, "authUser", p, 128), p + "authUser");
        Optional<String> password = err.string(acc, "password", p, 256);
        if (!acc.has("password")) {
            err.add(p + "password", "is required (use \"\" for none)");
        }
        Optional<String> domain = err.required(acc, "domain", p, 253);
        if (domain.isPresent() && !HOST.matcher(domain.get()).matches()) {
            err.add(p + "domain", "must be a host name or IP address, was \"" + domain.get() + "\"");
        }
        Optional<String> proxy = err.string(acc, "proxy", p, 259).filter(s -> !s.isEmpty());
        if (proxy.isPresent() && !HOST_PORT.matcher(proxy.get()).matches()) {
            err.add(p + "proxy", "must be host or host:port, was \"" + proxy.get() + "\"");
        }
        int port = (int) err.integer(acc, "port", p, 0, 0, 65535);
        // "proxy": "host:port" names the registrar's port too: SipAccount keeps the host in
        // proxy and the port in port, which is what the registration engine dials.
        if (proxy.isPresent() && HOST_PORT.matcher(proxy.get()).matches()) {
            String hp = proxy.get();
            int colon = hp.lastIndexOf(':');
            if (colon > 0 && hp.charAt(colon - 1) != ':' && (hp.indexOf(']') < colon)) {
                int proxyPort = Integer.parseInt(hp.substring(colon + 1));
                if (proxyPort < 1 || proxyPort > 65535) {
                    err.add(p + "proxy", "port must be 1..65535, was " + proxyPort);
                } else if (port != 0 && port != proxyPort) {
                    err.add(p + "port", "is " + port + " but proxy names port " + proxyPort + "; give one of them");
                } else {
                    port = proxyPort;
                    proxy = Optional.of(hp.substring(0, colon));
                }
            }
        }
        SipAccount.Transport transport = SipAccount.Transport.UDP;
        Optional<String> t = err.string(acc, "transport", p, 8);
        if (t.isPresent()) {
            try {
                transport = SipAccount.Transport.valueOf(t.get().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                err.add(p + "transport", "must be UDP, TCP or TLS, was \"" + t.get() + "\"");
            }
        }
        Optional<String> displayName = err.string(acc, "displayName", p, 128);
        long expires = err.integer(acc, "expires", p, 0, 30, 86_400);
        if (acc.hasNonNull("expires") && expires == 0) {
            return null;
        }
        if (!err.isEmpty()) {
            return null;
        }
        return new SipAccount(user.orElseThrow(), authUser.orElse(user.orElseThrow()), Secret.of(password.orElseThrow()),
                domain.orElseThrow(), proxy, port, transport, displayName.orElse(""),
                expires == 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(expires)));
    }

    private static List<DeviceToken> tokens(JsonNode body, String appId, Instant now, FieldErrors err) {
        JsonNode arr = body.get("tokens");
        if (arr == null || !arr.isArray()) {
            err.add("tokens", arr == null ? "is required (at least one device token)" : "must be an array");
            return List.of();
        }
        if (arr.isEmpty() || arr.size() > MAX_TOKENS) {
            err.add("tokens", "must hold 1 to " + MAX_TOKENS + " tokens, has " + arr.size());
            return List.of();
        }
        List<DeviceToken> out = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            JsonNode t = arr.get(i);
            String p = "tokens[" + i + "].";
            if (!t.isObject()) {
                err.add("tokens[" + i + "]", "must be an object with platform, kind, appId, token");
                continue;
            }
            err.unknown(t, p, TOKEN);
            DeviceToken.Platform platform = enumOf(DeviceToken.Platform.class, err.required(t, "platform", p, 16),
                    p + "platform", err);
            DeviceToken.Kind kind = enumOf(DeviceToken.Kind.class,
                    err.required(t, "kind", p, 32).map(k -> k.replace('-', '_')), p + "kind", err);
            Optional<String> tokenAppId = err.string(t, "appId", p, 255).filter(s -> !s.isEmpty());
            if (tokenAppId.isPresent() && !APP_ID.matcher(tokenAppId.get()).matches()) {
                err.add(p + "appId", "must be letters, digits and . _ : -");
            }
            Optional<String> token = err.noSpaces(err.required(t, "token", p, 4096), p + "token");
            if (platform != null && kind != null && token.isPresent()) {
                out.add(new DeviceToken(platform, kind, tokenAppId.orElse(appId), token.get(), now));
            }
        }
        return out;
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, Optional<String> text, String field, FieldErrors err) {
        if (text.isEmpty()) {
            return null;
        }
        try {
            return Enum.valueOf(type, text.get().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            err.add(field, "must be one of " + java.util.Arrays.toString(type.getEnumConstants())
                    + ", was \"" + text.get() + "\"");
            return null;
        }
    }
}
