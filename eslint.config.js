import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // packages/sdk/src/generated/ is openapi-typescript's output (npm run sdk:types), checked by its staleness test.
  { ignores: ['node_modules/', '**/dist/', 'data/', 'keys/', 'coverage/', 'public/**/*.js', 'packages/sdk/src/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-console': 'off',
    },
  },
  // Production code gets the type-aware rules (unsafe any flow, floating/misused promises): the server, the SDK
  // users install and the example they copy. Tests and benches keep the plain set above.
  {
    files: ['src/**/*.ts', 'packages/*/src/**/*.ts', 'examples/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
