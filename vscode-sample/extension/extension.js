// Registers the `gotrace` debug type: VS Code runs `gotrace dap --stdio` as
// its debug adapter and speaks DAP over the process's stdin/stdout.
const vscode = require('vscode');

function activate(context) {
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory('gotrace', {
      createDebugAdapterDescriptor() {
        const path = vscode.workspace.getConfiguration('gotrace').get('path') || 'gotrace';
        return new vscode.DebugAdapterExecutable(path, ['dap', '--stdio']);
      },
    }),
  );
}

function deactivate() {}

module.exports = { activate, deactivate };
