// Monaco is loaded after first paint (its own chunk), so the shell and drop target appear at once.
import { useEffect, useState } from 'react';

type MonacoModule = typeof import('./setup.ts');
let loading: Promise<MonacoModule> | null = null;
let loaded: MonacoModule | null = null;

export function loadMonaco(): Promise<MonacoModule> {
  loading ??= import('./setup.ts').then((m) => (loaded = m));
  return loading;
}

export function useMonaco(): MonacoModule | null {
  const [m, setM] = useState<MonacoModule | null>(loaded);
  useEffect(() => {
    if (!m) void loadMonaco().then(setM);
  }, [m]);
  return m;
}
