import { WinEvent } from '../win-event';

/**
 * The same Windows event in the JSON shapes log shippers send (tests: each
 * shape must give the same stored events as the .evtx record it came from).
 */

/** Winlogbeat 8 / ECS: winlog.event_id as text, winlog.event_data, @timestamp. */
export function winlogbeatLine(e: WinEvent): string {
  return JSON.stringify({
    '@timestamp': new Date(e.timeMs).toISOString(),
    event: { code: String(e.eventId), kind: 'event', provider: e.provider },
    host: { name: e.computer.toLowerCase() },
    log: { level: 'information' },
    winlog: {
      channel: e.channel,
      computer_name: e.computer,
      event_id: String(e.eventId),
      provider_name: e.provider,
      record_id: e.recordId,
      task: e.task,
      ...(e.eventId === 1102 ? { user_data: { xml_name: 'LogFileCleared', ...e.data } } : { event_data: e.data }),
    },
  }).replace('"xml_name":"LogFileCleared",', '');
}

/** evtx_dump (omerbenamram/evtx `-o jsonl`): Event.System with #attributes, numbers as numbers where they are. */
export function evtxDumpLine(e: WinEvent): string {
  const data = Object.fromEntries(Object.entries(e.data).map(([k, v]) => [k, /^\d{1,9}$/.test(v) ? Number(v) : v]));
  return JSON.stringify({
    Event: {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
      System: {
        Provider: { '#attributes': { Name: e.provider } },
        EventID: { '#attributes': { Qualifiers: '' }, '#text': e.eventId },
        Task: Number(e.task) || e.task,
        TimeCreated: { '#attributes': { SystemTime: new Date(e.timeMs).toISOString().replace('Z', '000Z') } },
        EventRecordID: Number(e.recordId),
        Channel: e.channel,
        Computer: e.computer,
      },
      ...(e.eventId === 1102 ? { UserData: { LogFileCleared: data } } : { EventData: data }),
    },
  });
}

/** The flattened form (NXLog / Fluent Bit style): EventID and the data at the top level. */
export function flatLine(e: WinEvent): string {
  return JSON.stringify({
    EventID: e.eventId,
    TimeCreated: new Date(e.timeMs).toISOString(),
    Computer: e.computer,
    Channel: e.channel,
    EventRecordID: e.recordId,
    ProviderName: e.provider,
    Task: e.task,
    ...e.data,
  });
}
