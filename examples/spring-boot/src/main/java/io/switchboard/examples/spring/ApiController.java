package io.switchboard.examples.spring;

import io.switchboard.embedded.Published;
import io.switchboard.embedded.Switchboard;
import java.security.Principal;
import java.time.Duration;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The application's REST side: a node token for the signed-in user (the browser and the Java SDK connect
 * with it), and announcements, which only admins may post (SecurityConfig) and which the node publishes
 * to {@code chat:announcements} as the server side.
 */
@RestController
public class ApiController {

    private final Switchboard switchboard;

    public ApiController(Switchboard switchboard) {
        this.switchboard = switchboard;
    }

    /** A token for the node, for the user Spring Security authenticated, and where to connect. */
    @GetMapping("/api/token")
    public Map<String, String> token(Principal user) {
        return Map.of("token", switchboard.mintToken(user.getName(), Duration.ofMinutes(10)),
                "url", switchboard.webSocketUrl(), "user", user.getName());
    }

    /** Publishes {@code {"text": ..., "by": <admin>}} to {@code chat:announcements}. */
    @PostMapping("/api/announce")
    public Mono<Map<String, Object>> announce(@RequestBody Map<String, String> body, Principal admin) {
        String text = body.getOrDefault("text", "");
        String json = "{\"text\":" + quote(text) + ",\"by\":" + quote(admin.getName()) + "}";
        return Mono.fromCompletionStage(switchboard.publish("chat:announcements", json))
                .map((Published p) -> Map.of("offset", p.offset(), "epoch", p.epoch()));
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
