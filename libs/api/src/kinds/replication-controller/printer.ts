/** `capctl get` and `describe` for a ReplicationController: a ReplicaSet's, with its map selector. */
import { mapSelectorText } from "../../printing/cells.js";
import { replicaCountsDescriber, replicaCountsPrinter } from "../replica-set/printer.js";

export const replicationControllerPrinter = replicaCountsPrinter(mapSelectorText);
export const replicationControllerDescriber = replicaCountsDescriber(mapSelectorText);
