package io.switchboard.server.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option's value comes from when no flag gives it: the environment variable
 * {@code SWITCHBOARD_<NAME>} (the long option name in upper case, dashes as underscores), then the YAML
 * file named by {@code --config} or {@code SWITCHBOARD_CONFIG} (keys are the long option names without
 * dashes, e.g. {@code jwt-secret: ...}), then the built-in default. Knows the line of each YAML key, so
 * that an error can say where a bad value was written.
 */
final class ConfigSources implements IDefaultValueProvider {

    enum Source { FLAG, ENV, FILE, DEFAULT }

    /** A value given for one option, and where it was given. */
    record Given(String text, Source source, int line) {
    }

    private final Map<String, String> env;
    private final Map<String, Given> file;
    private final Path filePath;
    private JsonNode namespacesNode;
    private JsonNode pusherNode;
    private JsonNode consumersNode;
    private JsonNode webhooksNode;
    private JsonNode hooksNode;

    private ConfigSources(Map<String, String> env, Map<String, Given> file, Path filePath) {
        this.env = env;
        this.file = file;
        this.filePath = filePath;
    }

    /** Reads the YAML file named by {@code --config} in {@code args}, or by SWITCHBOARD_CONFIG. */
    static ConfigSources load(String[] args, Map<String, String> env) {
        String path = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                path = args[i + 1];
            } else if (args[i].startsWith("--config=")) {
                path = args[i].substring("--config=".length());
            }
        }
        if (path == null) {
            path = env.get("SWITCHBOARD_CONFIG");
        }
        return load(path == null ? null : Path.of(path), env);
    }

    /** Reads the YAML file {@code p} (null: no file, the environment and the defaults only). */
    static ConfigSources load(Path p, Map<String, String> env) {
        if (p == null) {
            return new ConfigSources(env, Map.of(), null);
        }
        Map<String, Given> values = new HashMap<>();
        ConfigSources s = new ConfigSources(env, values, p);
        JsonNode[] blocks = readYaml(p, values);
        s.namespacesNode = blocks[0];
        s.pusherNode = blocks[1];
        s.consumersNode = blocks[2];
        s.webhooksNode = blocks[3];
        s.hooksNode = blocks[4];
        return s;
    }

    /** The YAML file read, or null. */
    Path file() {
        return filePath;
    }

    /** How many options the file and the environment give (for {@code config check}'s summary). */
    int[] counts(Collection<String> options) {
        int fromFile = 0;
        int fromEnv = 0;
        for (String o : options) {
            if (env.containsKey(envName(o))) {
                fromEnv++;
            } else if (file.containsKey(o)) {
                fromFile++;
            }
        }
        return new int[] {fromFile, fromEnv};
    }

    /** The namespaces of the config file, or the shipped ones. */
    io.switchboard.server.config.Namespaces namespaces() {
        try {
            return NamespacesYaml.parse(namespacesNode);
        } catch (ConfigException e) {
            throw new ConfigException(filePath + ": " + e.getMessage());
        }
    }

    /** The Pusher apps of the config file's {@code pusher:} mapping (none without one). */
    List<io.switchboard.server.config.PusherApp> pusherApps() {
        try {
            return PusherYaml.parse(pusherNode);
        } catch (ConfigException e) {
            throw new ConfigException(filePath + ": " + e.getMessage());
        }
    }

    /** The consumers of the config file (docs/consumers.md), or none. */
    io.switchboard.server.config.ConsumersConfig consumers() {
        try {
            return ConsumersYaml.parse(consumersNode);
        } catch (ConfigException e) {
            throw new ConfigException(filePath + ": " + e.getMessage());
        }
    }

    /** The {@code webhooks:} section of the config file, or none. */
    io.switchboard.server.config.WebhookConfig webhooks() {
        try {
            return WebhooksYaml.parse(webhooksNode);
        } catch (ConfigException e) {
            throw new ConfigException(filePath + ": " + e.getMessage());
        }
    }

    /** The {@code hooks:} section of the config file (decisions asked of the backend), or none. */
    io.switchboard.server.config.HooksConfig hooks() {
        try {
            return HooksYaml.parse(hooksNode);
        } catch (ConfigException e) {
            throw new ConfigException(filePath + ": " + e.getMessage());
        }
    }

    /**
     * Reads scalar options into {@code out}, with their lines; returns the {@code namespaces},
     * {@code pusher}, {@code consumers}, {@code webhooks} and {@code hooks} mappings (null when absent).
     */
    private static JsonNode[] readYaml(Path p, Map<String, Given> out) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode namespaces = null;
        JsonNode pusher = null;
        JsonNode consumers = null;
        JsonNode webhooks = null;
        JsonNode hooks = null;
        try (JsonParser parser = yaml.createParser(Files.readString(p))) {
            JsonToken first = parser.nextToken();
            if (first == null || first == JsonToken.VALUE_NULL) {
                return new JsonNode[5];
            }
            if (first != JsonToken.START_OBJECT) {
                throw new ConfigException("config file " + p + " must be a mapping of option names to values");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                int line = parser.currentTokenLocation().getLineNr();
                parser.nextToken();
                JsonNode v = yaml.readTree(parser);
                String where = p + " line " + line + ": " + key;
                if (key.equals("namespaces")) {
                    namespaces = v;
                    continue;
                }
                if (key.equals("pusher")) {
                    pusher = v;
                    continue;
                }
                if (key.equals("consumers")) {
                    consumers = v;
                    continue;
                }
                if (key.equals("webhooks")) {
                    webhooks = v;
                    continue;
                }
                if (key.equals("hooks")) {
                    hooks = v;
                    continue;
                }
                if (out.containsKey(key)) {
                    throw new ConfigException(where + " is given twice (also on line " + out.get(key).line() + ")");
                }
                if (v == null || v.isNull() || v.isMissingNode()) {
                    continue; // "key:" with no value leaves the option unset
                }
                if (v.isArray()) {
                    // A list (e.g. several api-key entries) becomes the comma-separated form the option splits.
                    List<String> items = new ArrayList<>();
                    for (JsonNode item : v) {
                        if (item.isContainerNode()) {
                            throw new ConfigException(where + " must be a value or a list of values");
                        }
                        items.add(item.asText());
                    }
                    out.put(key, new Given(String.join(",", items), Source.FILE, line));
                } else if (v.isContainerNode()) {
                    throw new ConfigException(where + " must be a single value");
                } else {
                    out.put(key, new Given(v.asText(), Source.FILE, line));
                }
            }
        } catch (IOException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.toString();
            throw new ConfigException("cannot read config file " + p + ": " + why.lines().findFirst().orElse(why));
        }
        return new JsonNode[] {namespaces, pusher, consumers, webhooks, hooks};
    }

    /** Fails on keys in the file that name no option, so that a typo is not silently ignored. */
    void checkFileKeys(Collection<String> options) {
        for (Map.Entry<String, Given> e : file.entrySet()) {
            String key = e.getKey();
            if (!options.contains(key)) {
                String near = Text.nearest(key, options);
                throw new ConfigException("unknown key '" + Text.escape(key) + "' in " + filePath + " line " + e.getValue().line()
                        + (near != null ? "; did you mean '" + near + "'?" : ""));
            }
        }
    }

    /** The value of option {@code name} from the environment or the file, or null. */
    Given lookup(String name) {
        String fromEnv = env.get(envName(name));
        if (fromEnv != null) {
            return new Given(fromEnv, Source.ENV, 0);
        }
        return file.get(name);
    }

    /** For the annotated subcommands ({@code token}): the environment, then the file. */
    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec o) || o.usageHelp() || o.versionHelp() || bareName(o).equals("config")) {
            return null;
        }
        Given g = lookup(bareName(o));
        return g == null ? null : g.text();
    }

    /** For --print-config: where a value came from. */
    String describe(Given g, String name) {
        if (g == null) {
            return "default";
        }
        return switch (g.source()) {
            case FLAG -> "flag --" + name;
            case ENV -> "env " + envName(name);
            case FILE -> "file " + filePath;
            case DEFAULT -> "default";
        };
    }

    /** For an error: where a value was given, with the value as the operator wrote it ({@code shown}). */
    String where(Given g, String name, String shown) {
        String value = shown == null ? "" : shown;
        if (g == null) {
            return "--" + name;
        }
        return switch (g.source()) {
            case FLAG -> "--" + name + (value.isEmpty() ? "" : " " + value);
            case ENV -> envName(name) + (value.isEmpty() ? "" : "=" + value);
            case FILE -> filePath + " line " + g.line() + ": " + name + (value.isEmpty() ? "" : ": " + value);
            case DEFAULT -> "--" + name;
        };
    }

    static String bareName(OptionSpec o) {
        return o.longestName().replaceFirst("^-+", "");
    }

    static String envName(String bareName) {
        return "SWITCHBOARD_" + bareName.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** A configuration that cannot be used, said in one line. */
    static final class ConfigException extends RuntimeException {
        ConfigException(String message) {
            super(message);
        }
    }
}
