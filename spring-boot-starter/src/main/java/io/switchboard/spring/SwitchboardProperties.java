package io.switchboard.spring;

import io.switchboard.embedded.Access;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code switchboard.*} keys of {@code application.yml}: the options of {@code switchboard serve} in
 * kebab case (a key left out keeps the CLI's default, written once in the server's {@code ServerConfig}),
 * the engine, the hook executor and the namespaces. Checked when the node is built: a bad value stops the
 * application with a message naming the option.
 */
@ConfigurationProperties(prefix = "switchboard")
public class SwitchboardProperties {

    /** Whether to run an embedded node at all. */
    private boolean enabled = true;
    /** Address the node listens on (default 127.0.0.1; another needs TLS or behind-tls-proxy). */
    private String bind;
    /** Port the node's WebSocket endpoint listens on (default 8080; 0 picks a free one). */
    private Integer port;
    /** Allow a non-loopback bind without TLS because a proxy terminates it. */
    private Boolean behindTlsProxy;
    /** HS256 secret for tokens, at least 32 bytes; random per run when not given. */
    private String jwtSecret;
    /** PEM files (or PEM text) of public keys that verify RS256, ES256 and EdDSA tokens. */
    private List<String> jwtPublicKeys = new ArrayList<>();
    /** A JWKS URL to verify tokens with, refreshed in the background. */
    private String jwksUrl;
    /** Required "iss" of tokens. */
    private String jwtIssuer;
    /** Accepted "aud" values of tokens. */
    private List<String> jwtAudiences = new ArrayList<>();
    /** Accept connections without a token. */
    private Boolean allowAnonymous;
    /** Whether /demo/token hands out tokens; unset: only on a loopback bind. */
    private Boolean demoTokens;
    /** Browser origins allowed besides the node's own (loopback only by default). */
    private List<String> allowedOrigins = new ArrayList<>();
    /** Event-loop threads; 0 = one per core. */
    private Integer ioThreads;
    /** WebSocket sessions run on a throwaway loopback node before the node binds its port, so that its first connection storm finds the code compiled (default 0 = off; serve's default is 3000). */
    private Integer warmUpSessions;
    /** Largest frame or message in bytes (default 65536, at least 2048). */
    private Integer maxFrameBytes;
    /** Bytes queued for one connection before it is closed as a slow consumer (default 1048576). */
    private Long maxQueuedBytes;
    /** Channels one connection may subscribe to (default 128). */
    private Integer maxChannels;
    /** Time between server pings (default 25s). */
    private Duration heartbeatInterval;
    /** Time a client has to answer a ping (default 10s). */
    private Duration heartbeatTimeout;
    /** Time to send a complete HTTP request or upgrade (default 10s). */
    private Duration handshakeTimeout;
    /** On shutdown, sessions are closed with 1001 spread over this time (default 10s). */
    private Duration drainWindow;
    /** Most messages one resubscribe may recover (default 1000). */
    private Integer maxRecover;
    /** How long a publish's idempotency key is remembered (default 5m). */
    private Duration idempotencyWindow;
    /** Life of a presence entry its node stops renewing (default 60s). */
    private Duration presenceTtl;
    /** Open connections per user (default 100; 0 = off). */
    private Integer maxConnectionsPerUser;
    /** Open connections per address (default 5000; 0 = off). */
    private Integer maxConnectionsPerIp;
    /** Accept permessage-deflate when a client offers it (default false). */
    private Boolean compression;
    /** Messages smaller than this many bytes go out uncompressed (default 256). */
    private Integer compressionThreshold;
    /** zlib level, 1 to 9 (default 6). */
    private Integer compressionLevel;
    /** Commands per second per connection (default 100; 0 = off). */
    private Integer commandsPerSecond;
    /** Commands a connection may send at once (default 200). */
    private Integer commandBurst;
    /** New connections per second per address (default 100; 0 = off). */
    private Integer newConnectionsPerSecondPerIp;
    /** New connections an address may open at once (default 500). */
    private Integer newConnectionsBurstPerIp;
    /** Keys that open the node's server API (/api) and admin page; none: off. */
    private List<String> apiKeys = new ArrayList<>();
    /** The node's name in node info (random per run when not given). */
    private String nodeName;
    /** The engine: memory (one node) or redis (shared with other nodes). */
    private String engine = "memory";
    /** Redis servers for engine redis, e.g. redis://127.0.0.1:6379. */
    private List<String> redisUrls = new ArrayList<>();
    /** NATS server that carries live messages between nodes (engine redis only), e.g. nats://127.0.0.1:4222. */
    private String natsUrl;
    /** Threads of the executor blocking hooks run on. */
    private int hookThreads = 8;
    /** Calls of blocking hooks that may wait for a thread; more are answered unavailable. */
    private int hookQueue = 1024;
    /** How long any hook may take before the client is answered unavailable. */
    private Duration hookTimeout = Duration.ofSeconds(5);
    /** Namespaces by name, added to (or replacing) the default "" and "chat". */
    private Map<String, NamespaceProperties> namespaces = new LinkedHashMap<>();
    /** Spring Security as the connect decision. */
    private final SpringSecurity springSecurity = new SpringSecurity();

    /** {@code switchboard.spring-security.*}. */
    public static class SpringSecurity {
        /**
         * Let the application's Spring Security decide who a connection is: the signed-in user of the
         * WebFlux session cookie, or Basic credentials checked by its authentication manager; a valid node
         * token still works. Handshakes without any of them are refused.
         */
        private boolean connect;

        public boolean isConnect() { return connect; }
        public void setConnect(boolean v) { connect = v; }
    }

    /** The options of one namespace. */
    public static class NamespaceProperties {
        /** Messages kept per channel; 0: no history. */
        private int historySize;
        /** How long a message is kept. */
        private Duration historyTtl = Duration.ofMinutes(10);
        /** Whether the channel tracks who is subscribed. */
        private boolean presence;
        /** Whether subscribers get join and leave pushes (needs presence). */
        private boolean joinLeave;
        /** Who may subscribe. */
        private Access subscribe = Access.ANONYMOUS;
        /** Who may publish. */
        private Access publish = Access.AUTHENTICATED;
        /** Who may read history and recover. */
        private Access history = Access.ANONYMOUS;
        /** Who may read presence. */
        private Access presenceAccess = Access.ANONYMOUS;
        /** Whether a publisher subscribed to the channel gets its own publications. */
        private boolean echo = true;

        public int getHistorySize() { return historySize; }
        public void setHistorySize(int v) { historySize = v; }
        public Duration getHistoryTtl() { return historyTtl; }
        public void setHistoryTtl(Duration v) { historyTtl = v; }
        public boolean isPresence() { return presence; }
        public void setPresence(boolean v) { presence = v; }
        public boolean isJoinLeave() { return joinLeave; }
        public void setJoinLeave(boolean v) { joinLeave = v; }
        public Access getSubscribe() { return subscribe; }
        public void setSubscribe(Access v) { subscribe = v; }
        public Access getPublish() { return publish; }
        public void setPublish(Access v) { publish = v; }
        public Access getHistory() { return history; }
        public void setHistory(Access v) { history = v; }
        public Access getPresenceAccess() { return presenceAccess; }
        public void setPresenceAccess(Access v) { presenceAccess = v; }
        public boolean isEcho() { return echo; }
        public void setEcho(boolean v) { echo = v; }
    }

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean v) { enabled = v; }
    public String getBind() { return bind; }
    public void setBind(String v) { bind = v; }
    public Integer getPort() { return port; }
    public void setPort(Integer v) { port = v; }
    public Boolean getBehindTlsProxy() { return behindTlsProxy; }
    public void setBehindTlsProxy(Boolean v) { behindTlsProxy = v; }
    public String getJwtSecret() { return jwtSecret; }
    public void setJwtSecret(String v) { jwtSecret = v; }
    public List<String> getJwtPublicKeys() { return jwtPublicKeys; }
    public void setJwtPublicKeys(List<String> v) { jwtPublicKeys = v; }
    public String getJwksUrl() { return jwksUrl; }
    public void setJwksUrl(String v) { jwksUrl = v; }
    public String getJwtIssuer() { return jwtIssuer; }
    public void setJwtIssuer(String v) { jwtIssuer = v; }
    public List<String> getJwtAudiences() { return jwtAudiences; }
    public void setJwtAudiences(List<String> v) { jwtAudiences = v; }
    public Boolean getAllowAnonymous() { return allowAnonymous; }
    public void setAllowAnonymous(Boolean v) { allowAnonymous = v; }
    public Boolean getDemoTokens() { return demoTokens; }
    public void setDemoTokens(Boolean v) { demoTokens = v; }
    public List<String> getAllowedOrigins() { return allowedOrigins; }
    public void setAllowedOrigins(List<String> v) { allowedOrigins = v; }
    public Integer getIoThreads() { return ioThreads; }
    public void setIoThreads(Integer v) { ioThreads = v; }
    public Integer getWarmUpSessions() { return warmUpSessions; }
    public void setWarmUpSessions(Integer v) { warmUpSessions = v; }
    public Integer getMaxFrameBytes() { return maxFrameBytes; }
    public void setMaxFrameBytes(Integer v) { maxFrameBytes = v; }
    public Long getMaxQueuedBytes() { return maxQueuedBytes; }
    public void setMaxQueuedBytes(Long v) { maxQueuedBytes = v; }
    public Integer getMaxChannels() { return maxChannels; }
    public void setMaxChannels(Integer v) { maxChannels = v; }
    public Duration getHeartbeatInterval() { return heartbeatInterval; }
    public void setHeartbeatInterval(Duration v) { heartbeatInterval = v; }
    public Duration getHeartbeatTimeout() { return heartbeatTimeout; }
    public void setHeartbeatTimeout(Duration v) { heartbeatTimeout = v; }
    public Duration getHandshakeTimeout() { return handshakeTimeout; }
    public void setHandshakeTimeout(Duration v) { handshakeTimeout = v; }
    public Duration getDrainWindow() { return drainWindow; }
    public void setDrainWindow(Duration v) { drainWindow = v; }
    public Integer getMaxRecover() { return maxRecover; }
    public void setMaxRecover(Integer v) { maxRecover = v; }
    public Duration getIdempotencyWindow() { return idempotencyWindow; }
    public void setIdempotencyWindow(Duration v) { idempotencyWindow = v; }
    public Duration getPresenceTtl() { return presenceTtl; }
    public void setPresenceTtl(Duration v) { presenceTtl = v; }
    public Integer getMaxConnectionsPerUser() { return maxConnectionsPerUser; }
    public void setMaxConnectionsPerUser(Integer v) { maxConnectionsPerUser = v; }
    public Boolean getCompression() { return compression; }
    public void setCompression(Boolean v) { compression = v; }
    public Integer getCompressionThreshold() { return compressionThreshold; }
    public void setCompressionThreshold(Integer v) { compressionThreshold = v; }
    public Integer getCompressionLevel() { return compressionLevel; }
    public void setCompressionLevel(Integer v) { compressionLevel = v; }
    public Integer getCommandsPerSecond() { return commandsPerSecond; }
    public void setCommandsPerSecond(Integer v) { commandsPerSecond = v; }
    public Integer getCommandBurst() { return commandBurst; }
    public void setCommandBurst(Integer v) { commandBurst = v; }
    public Integer getNewConnectionsPerSecondPerIp() { return newConnectionsPerSecondPerIp; }
    public void setNewConnectionsPerSecondPerIp(Integer v) { newConnectionsPerSecondPerIp = v; }
    public Integer getNewConnectionsBurstPerIp() { return newConnectionsBurstPerIp; }
    public void setNewConnectionsBurstPerIp(Integer v) { newConnectionsBurstPerIp = v; }
    public Integer getMaxConnectionsPerIp() { return maxConnectionsPerIp; }
    public void setMaxConnectionsPerIp(Integer v) { maxConnectionsPerIp = v; }
    public List<String> getApiKeys() { return apiKeys; }
    public void setApiKeys(List<String> v) { apiKeys = v; }
    public String getNodeName() { return nodeName; }
    public void setNodeName(String v) { nodeName = v; }
    public String getEngine() { return engine; }
    public void setEngine(String v) { engine = v; }
    public List<String> getRedisUrls() { return redisUrls; }
    public void setRedisUrls(List<String> v) { redisUrls = v; }
    public String getNatsUrl() { return natsUrl; }
    public void setNatsUrl(String v) { natsUrl = v; }
    public int getHookThreads() { return hookThreads; }
    public void setHookThreads(int v) { hookThreads = v; }
    public int getHookQueue() { return hookQueue; }
    public void setHookQueue(int v) { hookQueue = v; }
    public Duration getHookTimeout() { return hookTimeout; }
    public void setHookTimeout(Duration v) { hookTimeout = v; }
    public SpringSecurity getSpringSecurity() { return springSecurity; }
    public Map<String, NamespaceProperties> getNamespaces() { return namespaces; }
    public void setNamespaces(Map<String, NamespaceProperties> v) { namespaces = v; }
}
