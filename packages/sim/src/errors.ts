// The error every scenario check throws: it names the field that is wrong.
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`scenario: ${path ? `${path}: ` : ''}${message}`);
  }
}
