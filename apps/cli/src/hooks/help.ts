export const HOOK_HELP = `Usage: aleph hook claude-code|codex|gemini [--timeout-ms N] [--when-unreachable deny|ask|allow]

The hook an agent runs before each tool call (install it with "aleph install AGENT"). Reads the
hook's JSON on standard input and answers in the agent's own format:

  claude-code  PreToolUse: Bash through the gateway, an allowed command rewritten to run confined
               ("aleph run --ticket T -- '<command>'", in the agent profile); Write, Edit, MultiEdit, NotebookEdit and Read
               by where the file really is (inside the project: allowed; credentials, system
               directories, $ALEPH_HOME: refused; elsewhere: a person decides); WebFetch and
               WebSearch by domain and MCP tools by rule ($ALEPH_HOME/hooks.json); other tools
               are left to Claude Code. PermissionRequest: the same, as allow or deny.
  codex        PreToolUse (deny only) and PermissionRequest (allow or deny): Bash and MCP tools.
  gemini       BeforeTool (deny; an allow is left to Gemini CLI): run_shell_command, write_file,
               replace and read_file.

Every decision goes through the gateway, which writes it to its audit log before the hook
answers: what a person decides is asked there, and what the hook decides by itself is recorded
there. When no gateway answers it fails closed (deny) unless --when-unreachable says otherwise. A broken input
or a mistake in these options is a deny too, with the reason; it never prints this help for the
agent to read.`;
