import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { Apart, ok, StepResult } from '../../pipeline/step-result';
import { parseJsonObject } from '../shared/json-source';
import { EventDraft, SourceSystem } from '../shared/source-system';
import { readWinEvent, WinEvent } from './win-event';
import { windowsMapper, WindowsMapper } from './windows.mapper';

/**
 * 業務端末 from the real thing: Windows Security event logs. One JSON object
 * a line in any of the three shapes (Winlogbeat/ECS, evtx_dump, flat) — from
 * files, HTTP or Kafka — and .evtx files, whose records the file import
 * renders as evtx_dump lines (sources/file-import/evtx). No SQL twin: three
 * shapes and the event-ID mapping are JavaScript's.
 */
export class WindowsSourceSystem implements SourceSystem {
  readonly framing = 'jsonl' as const;
  readonly evtx = true;
  private readonly map: WindowsMapper;

  constructor(
    readonly name: string,
    readonly config: SourceSystemConfig,
  ) {
    this.map = windowsMapper(config);
  }

  parse(text: string): StepResult<EventDraft> | Apart {
    const value = parseJsonObject(text);
    if (value.kind !== 'ok') return value;
    const event = readWinEvent(value.value);
    return 'kind' in event ? event : this.mapRead(event);
  }

  /** An event already read (an .evtx record). */
  mapRead(event: unknown): StepResult<EventDraft> | Apart {
    const mapped = this.map(event as WinEvent);
    return 'kind' in mapped ? mapped : ok(mapped);
  }
}
