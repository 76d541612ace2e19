import { createApp } from "./app";
import { RegistrationLimits } from "./limits/registration-limits";

export { RegistrationLimits };

export default createApp();
