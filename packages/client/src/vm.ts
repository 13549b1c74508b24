/**
 * VM API v2 lists a gate needs ids from (docs/qualys-api.md 4.3): option profiles, scanner appliances,
 * networks. Option profile layout is UNCONFIRMED; the reader accepts BASIC_INFO{ID, GROUP_NAME, IS_DEFAULT}
 * and flat forms.
 */

import type { HttpCore } from "./http-client.js";
import { asList, at, int, parseXml, text, type XmlNode } from "./xml.js";

export interface VmOptionProfile {
  id: number;
  title: string;
  isDefault: boolean;
  group: string | undefined;
}

export interface ScannerAppliance {
  id: number;
  name: string;
  status: string | undefined;
  networkId: number | undefined;
  runningScans: number | undefined;
}

export interface VmNetwork {
  id: number;
  name: string;
}

export class VmLists {
  constructor(private readonly core: HttpCore) {}

  private async list(path: string, params: Record<string, string>): Promise<XmlNode> {
    return this.core.callAndRead(
      { family: "v2", method: "POST", path, params: { action: "list", ...params }, idempotent: true },
      (response) => parseXml(response.body, this.core.info("POST", path)),
    );
  }

  async optionProfiles(): Promise<VmOptionProfile[]> {
    const doc = await this.list("/api/2.0/fo/subscription/option_profile/vm/", {});
    return asList<XmlNode>(at(doc, "OPTION_PROFILES.OPTION_PROFILE")).map((p) => {
      const info = (at(p, "BASIC_INFO") ?? p) as XmlNode;
      return {
        id: int(info.ID) ?? 0,
        title: text(info.GROUP_NAME) ?? text(info.TITLE) ?? "",
        isDefault: text(info.IS_DEFAULT) === "1" || text(info.IS_DEFAULT) === "true",
        group: text(info.GROUP_TYPE),
      };
    });
  }

  async scanners(): Promise<ScannerAppliance[]> {
    const doc = await this.list("/api/2.0/fo/appliance/", { output_mode: "brief" });
    return asList<XmlNode>(at(doc, "APPLIANCE_LIST_OUTPUT.RESPONSE.APPLIANCE_LIST.APPLIANCE")).map((a) => ({
      id: int(a.ID) ?? 0,
      name: text(a.NAME) ?? "",
      status: text(a.STATUS),
      networkId: int(a.NETWORK_ID),
      runningScans: int(a.RUNNING_SCAN_COUNT),
    }));
  }

  async networks(): Promise<VmNetwork[]> {
    const doc = await this.list("/api/2.0/fo/network/", {});
    return asList<XmlNode>(at(doc, "NETWORK_LIST_OUTPUT.RESPONSE.NETWORK_LIST.NETWORK")).map((n) => ({
      id: int(n.ID) ?? 0,
      name: text(n.NAME) ?? "",
    }));
  }
}
