import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { ConfigError, loadConfigFile } from '../../src/config';
import {
  configFormatOf,
  configProblemsWithLines,
  findJsonSyntaxError,
  loadConfig,
  parseConfigText,
} from '../../src/config/load';

// Line numbers in the assertions below refer to these two texts: keep them as they are.
const GOOD_YAML = `# ml-connector: one GL feed
integrations:
  - id: gl-journal-lines
    entity: journalLines
    fusion:
      baseUrl: https://pod.example.com/fscmRestApi/resources/11.13.18.05
      auth:
        type: oauth
        tokenUrl: https://idcs-1.identity.oraclecloud.com/oauth2/v1/token
        clientId: ml-connector
        clientSecretEnv: FUSION_CLIENT_SECRET
        scope: urn:opc:resource:fa:instanceid=1urn:opc:resource:consumer::all
    sftp:
      host: sftp.example.com
      port: 2222
      username: finance
      auth: { type: password, passwordEnv: SFTP_PASSWORD }
      hostKey:
        sha256: SHA256:uBlQfNMJQtawv+7HLkSjpkM+uByIZPqIel1tbQzI+Cg
      folder: /outbound
`;

const GOOD_JSON = `{
  "integrations": [
    {
      "id": "gl-journal-lines",
      "entity": "journalLines",
      "fusion": {
        "baseUrl": "https://pod.example.com/fscmRestApi/resources/11.13.18.05",
        "auth": {
          "type": "oauth",
          "tokenUrl": "https://idcs-1.identity.oraclecloud.com/oauth2/v1/token",
          "clientId": "ml-connector",
          "clientSecretEnv": "FUSION_CLIENT_SECRET",
          "scope": "urn:opc:resource:fa:instanceid=1urn:opc:resource:consumer::all"
        }
      },
      "sftp": {
        "host": "sftp.example.com",
        "port": 2222,
        "username": "finance",
        "auth": { "type": "password", "passwordEnv": "SFTP_PASSWORD" },
        "hostKey": { "sha256": "SHA256:uBlQfNMJQtawv+7HLkSjpkM+uByIZPqIel1tbQzI+Cg" },
        "folder": "/outbound"
      }
    }
  ]
}
`;

/** Replaces exactly one occurrence, so a fixture edit that no longer applies fails loudly. */
function edit(text: string, from: string, to: string): string {
  assert.equal(text.split(from).length, 2, `expected exactly one "${from}" in the fixture`);
  return text.replace(from, to);
}

function problemsOf(load: () => unknown): { message: string; problems: string[] } {
  try {
    load();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return { message: err.message, problems: err.problems };
  }
  assert.fail('expected a ConfigError');
}

const yamlProblems = (text: string) => problemsOf(() => parseConfigText(text, 'yaml', 'ml.yaml')).problems;
const jsonProblems = (text: string) => problemsOf(() => parseConfigText(text, 'json', 'ml.json')).problems;

describe('config files: YAML and JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a YAML file and its JSON equivalent to the same configuration', () => {
    const fromYaml = parseConfigText(GOOD_YAML, 'yaml');
    assert.deepEqual(parseConfigText(GOOD_JSON, 'json'), fromYaml);
    assert.equal(fromYaml.integrations[0]?.sftp.port, 2222);
    assert.equal(fromYaml.integrations[0]?.sftp.connectTimeoutSeconds, 20, 'defaults are filled');
  });

  it('reads files by extension, also through loadConfigFile', () => {
    const example = readFileSync('config/ml-connector.example.json', 'utf8');
    const yamlPath = join(dir, 'ml-connector.config.yaml');
    const ymlPath = join(dir, 'ml-connector.config.yml');
    const jsonPath = join(dir, 'ml-connector.config.json');
    writeFileSync(yamlPath, stringify(JSON.parse(example)));
    writeFileSync(ymlPath, GOOD_YAML);
    writeFileSync(jsonPath, example);
    assert.deepEqual(loadConfig(yamlPath), loadConfigFile(jsonPath));
    assert.deepEqual(loadConfigFile(ymlPath), parseConfigText(GOOD_JSON, 'json'));
    assert.equal(configFormatOf('/etc/ml-connector/config'), 'json', 'no extension: JSON, as before');

    const missing = problemsOf(() => loadConfigFile(join(dir, 'absent.yaml')));
    assert.match(missing.message, /Cannot read the configuration file .*absent\.yaml: ENOENT/);
  });

  it('points a value that is out of range at its line and column (YAML and JSON)', () => {
    assert.deepEqual(yamlProblems(edit(GOOD_YAML, 'port: 2222', 'port: 70000')), [
      'ml.yaml:15:13 integrations[0].sftp.port: Too big: expected number to be <=65535',
    ]);
    assert.deepEqual(jsonProblems(edit(GOOD_JSON, '"port": 2222', '"port": 70000')), [
      'ml.json:18:17 integrations[0].sftp.port: Too big: expected number to be <=65535',
    ]);
  });

  it('points a missing key at the object that should hold it', () => {
    assert.deepEqual(yamlProblems(edit(GOOD_YAML, '      host: sftp.example.com\n', '')), [
      'ml.yaml:13:5 integrations[0].sftp.host: Invalid input: expected string, received undefined',
    ]);
  });

  it('points an unknown key at the key itself', () => {
    // `port` is set already, so it is not offered: the message lists the keys sftp takes instead.
    const yaml = yamlProblems(edit(GOOD_YAML, 'port: 2222', 'port: 2222\n      prot: 22'));
    assert.equal(yaml.length, 1);
    assert.ok(
      yaml[0]!.startsWith(
        'ml.yaml:16:7 integrations[0].sftp: unknown key "prot"; the keys allowed here are host, port,',
      ),
      yaml[0],
    );
    const json = jsonProblems(edit(GOOD_JSON, '"port": 2222,', '"port": 2222, "prot": 22,'));
    assert.equal(json.length, 1);
    assert.ok(
      json[0]!.startsWith(
        'ml.json:18:23 integrations[0].sftp: unknown key "prot"; the keys allowed here are host, port,',
      ),
      json[0],
    );
    // A misspelling of a key that is not set is answered with that key.
    assert.deepEqual(yamlProblems(edit(GOOD_YAML, 'port: 2222', 'prot: 2222')), [
      'ml.yaml:15:7 integrations[0].sftp: unknown key "prot" (did you mean "port"?)',
    ]);
  });

  it('reports every problem at once, each on its own line', () => {
    let text = edit(GOOD_YAML, 'port: 2222', 'port: 0');
    text = edit(text, 'folder: /outbound', 'folder: outbound');
    text = edit(text, 'id: gl-journal-lines', 'id: GL Journals');
    assert.deepEqual(yamlProblems(text).sort(), [
      'ml.yaml:15:13 integrations[0].sftp.port: Too small: expected number to be >=1',
      'ml.yaml:20:15 integrations[0].sftp.folder: must be an absolute path on the SFTP server, starting with /',
      'ml.yaml:3:9 integrations[0].id: lower-case letters, digits and -, at most 63 characters',
    ]);
  });

  it('reports a YAML syntax error with its line and column', () => {
    const { message, problems } = problemsOf(() =>
      parseConfigText(edit(GOOD_YAML, 'username: finance', 'username: finance: ops'), 'yaml', 'ml.yaml'),
    );
    assert.equal(message.split('\n')[0], 'ml.yaml is not valid YAML:');
    assert.ok(problems.length > 0);
    assert.ok(
      problems.every((p) => p.startsWith('ml.yaml:16:')),
      problems.join('\n'),
    );
  });

  it('refuses a duplicate key, in YAML and in JSON', () => {
    assert.deepEqual(
      yamlProblems(edit(GOOD_YAML, 'port: 2222', 'port: 2222\n      host: other.example.com')),
      ['ml.yaml:16:7 duplicate key: each key may appear only once in a mapping'],
    );
    assert.deepEqual(jsonProblems(edit(GOOD_JSON, '"port": 2222,', '"port": 2222, "port": 22,')), [
      'ml.json:18:23 duplicate key: each key may appear only once in a mapping',
    ]);
  });

  it('holds .json files to JSON: no trailing comma, no comment', () => {
    assert.deepEqual(jsonProblems(edit(GOOD_JSON, '"folder": "/outbound"', '"folder": "/outbound",')), [
      "ml.json:22:30 trailing comma before '}'",
    ]);
    assert.deepEqual(jsonProblems(edit(GOOD_JSON, '"folder"', '// where files go\n        "folder"')), [
      'ml.json:22:9 expected a key in double quotes (comments are not allowed in JSON)',
    ]);
    assert.equal(findJsonSyntaxError('{"a": [1, 2.5e3, -0, "\\u00e9\\n", true, null]}'), null);
    assert.deepEqual(findJsonSyntaxError('{"a": 01}'), { offset: 7, reason: "expected ',' or '}'" });
    assert.deepEqual(findJsonSyntaxError('{"a": "x'), { offset: 8, reason: 'unterminated string' });
  });

  it('names each kind of JSON syntax error at its offset, and agrees with JSON.parse on validity', () => {
    const cases: [string, number, string][] = [
      ['[1,]', 2, "trailing comma before ']'"],
      ['{"a": 1 // why\n}', 8, 'comments are not allowed in JSON'],
      ['{"a": "x\ny"}', 8, 'a newline inside a string must be escaped as \\n'],
      ['{"a": "x\ty"}', 6, 'a tab or other control character inside this string must be escaped'],
      ['{"a": "x\\q"}', 6, 'invalid escape sequence in this string'],
      ['{"a": "\\u12"}', 6, '\\u must be followed by 4 hex digits in this string'],
      ['{"a" 1}', 5, "expected ':' after the key"],
      ['[1 2]', 3, "expected ',' or ']'"],
      ['{"a": 1.}', 6, 'incomplete number'],
      ['{"a": 1', 7, 'unexpected end of file'],
      ['', 0, 'unexpected end of file'],
      ['{"a": 1}\n}', 9, 'unexpected text after the end of the JSON value'],
      [`${'['.repeat(513)}${']'.repeat(513)}`, 512, 'nested too deeply'],
      ['['.repeat(100_000), 512, 'nested too deeply'],
    ];
    for (const [text, offset, reason] of cases) {
      assert.deepEqual(findJsonSyntaxError(text), { offset, reason }, JSON.stringify(text.slice(0, 20)));
    }
    assert.equal(findJsonSyntaxError(`${'['.repeat(512)}${']'.repeat(512)}`), null);

    // Random short texts from JSON's own alphabet: the check refuses exactly what JSON.parse refuses.
    const parts = [
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '"',
      '"a"',
      '1',
      '0',
      '-',
      '.',
      'e',
      'true',
      ' ',
      '\n',
      '\t',
      '\\',
      '/',
      'x',
    ];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed >>> 16; // the high bits: an LCG's low bits repeat quickly
    };
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      for (let i = next() % 10; i >= 0; i--) text += parts[next() % parts.length];
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      assert.equal(findJsonSyntaxError(text) === null, valid, JSON.stringify(text));
    }
  });

  it('never echoes a value, even one written where a variable name belongs', () => {
    const secret = 'hunter2-s3cret';
    const invalid = problemsOf(() =>
      parseConfigText(
        edit(GOOD_YAML, 'passwordEnv: SFTP_PASSWORD', `passwordEnv: "${secret}"`),
        'yaml',
        'ml.yaml',
      ),
    );
    assert.deepEqual(invalid.problems, [
      'ml.yaml:17:44 integrations[0].sftp.auth.passwordEnv: must be the NAME of an environment variable (A-Z, 0-9, _), not the secret',
    ]);
    const badYaml = problemsOf(() =>
      parseConfigText(
        edit(GOOD_YAML, 'passwordEnv: SFTP_PASSWORD', `passwordEnv: "${secret}\\q"`),
        'yaml',
        'ml.yaml',
      ),
    );
    const badJson = problemsOf(() =>
      parseConfigText(edit(GOOD_JSON, '"SFTP_PASSWORD"', `${secret}`), 'json', 'ml.json'),
    );
    for (const { message } of [invalid, badYaml, badJson]) {
      assert.ok(!message.includes('hunter2'), message);
    }
    assert.deepEqual(badYaml.problems, ['ml.yaml:17:59 invalid escape sequence in a double-quoted string']);
    assert.deepEqual(badJson.problems, ['ml.json:20:54 expected a value (strings need double quotes)']);
  });

  it('maps problem strings to lines without a file (configProblemsWithLines)', () => {
    assert.deepEqual(
      configProblemsWithLines(
        GOOD_YAML,
        [
          'integrations[0].fusion.auth.scope: some problem',
          'integrations[0].format: no such key, so its parent',
          'integrations[3].id: no such item, so the list',
          '(top level): about the whole file',
          'not a path at all',
        ],
        'cfg.yaml',
      ),
      [
        'cfg.yaml:12:16 integrations[0].fusion.auth.scope: some problem',
        'cfg.yaml:3:5 integrations[0].format: no such key, so its parent',
        'cfg.yaml:2:1 integrations[3].id: no such item, so the list',
        'cfg.yaml:2:1 (top level): about the whole file',
        'cfg.yaml not a path at all',
      ],
    );
  });
});
