import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Info } from './api.js';

export const InfoContext = createContext<Info | null>(null);

export function useInfo(): Info | null {
  return useContext(InfoContext);
}

export function navigate(hash: string): void {
  if (location.hash !== hash) location.hash = hash;
}
