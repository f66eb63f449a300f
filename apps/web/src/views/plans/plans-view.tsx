// Plans (the plan-stream contract): create, the list, and the selected plan's live steps and output.

import { PlanDetail } from './plan-detail';
import { PlanForm } from './plan-form';
import { PlanList } from './plan-list';

export function PlansView({ selected }: { selected: string | null }) {
  return (
    <div className="view plans grid-2">
      <div className="col">
        <section className="panel" aria-labelledby="new-plan-title">
          <h2 id="new-plan-title">New plan</h2>
          <PlanForm />
        </section>
        <section className="panel" aria-labelledby="plans-title">
          <h2 id="plans-title">Plans</h2>
          <PlanList selected={selected} />
        </section>
      </div>
      <div className="col">{selected ? <PlanDetail key={selected} id={selected} /> : <p className="empty panel">Select a plan to follow its steps live.</p>}</div>
    </div>
  );
}
