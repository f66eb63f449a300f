// A labelled progress bar (the 3D-client contract: agent activity with progress bars).

export function ProgressBar({ percent, status, label }: { percent: number; status?: string; label: string }) {
  const p = Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <div className={`progress progress-${status ?? 'running'}`} role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={p} aria-label={label}>
      <div className="progress-fill" style={{ width: `${p}%` }} />
    </div>
  );
}
