/** Realistic ingredients for generated contacts: accents, hyphens, apostrophes, cannabis-trade companies. */
export const FIRST_NAMES = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Barbara',
  'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Christopher', 'Karen', 'Daniel', 'Lisa', 'Matthew', 'Nancy',
  'Anthony', 'Betty', 'Mark', 'Sandra', 'Steven', 'Ashley', 'Andrew', 'Kimberly', 'Joshua', 'Emily', 'Kevin', 'Donna',
  'Brian', 'Michelle', 'George', 'Carol', 'Timothy', 'Amanda', 'Ronald', 'Melissa', 'Jason', 'Deborah', 'Ryan', 'Stephanie',
  'José', 'Zoë', 'Björn', 'Chloé', 'François', 'Inés', 'Mary-Jane', 'Jean-Luc', 'Siobhán', 'Renée', 'Joaquín', 'Anaïs',
  'Alexandra', 'Alexander', 'Katherine', 'Nicholas', 'Samantha', 'Jonathan', 'Rebecca', 'Benjamin', 'Victoria', 'Nathaniel',
];

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez',
  'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson',
  'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright',
  "O'Brien", "D'Angelo", "O'Connor", 'Smith-Jones', 'García-López', 'Núñez', 'Müller', 'Øvergaard', 'Łukasiewicz', 'Dubois',
  'Nguyen', 'Kim', 'Patel', 'Cohen', 'Schwartz', 'MacDonald', 'van der Berg', 'St. James', 'Fitzgerald', 'Kowalski',
];

export const COMPANIES = [
  'Green Leaf Botanicals', 'Emerald Triangle Farms', 'Kush Kings', 'High Tide Dispensary', 'Mountain Hemp Co',
  'Pure CBD Wellness', 'Golden State Extracts', 'Northern Lights Cultivation', 'Canna Care Collective', 'Blue Dream Edibles',
  'The Head Shop', 'Glass House Headshop', 'Mary Jane Supply', '420 Wholesale', 'THC Labs', 'Buds & Blooms',
  'Pre-Roll Pros', 'Herbal Remedies LLC', 'Sativa Solutions', 'Indica Imports', 'Harborside Health Center',
  'Acme Packaging', 'Pacific Print Works', 'Summit Logistics', 'Bright Smile Dental', 'Riverside Realty', 'Cascade Coffee',
  'Lakeside Pharmacy', 'Metro Medical Supply', 'Redwood Consulting', 'Sunrise Bakery', 'Atlas Manufacturing',
  'Silver Line Transport', 'Evergreen Landscaping', 'Urban Apothecary', 'Peak Performance Gym', 'Coastal Containers',
];

export const TAGS = ['wholesale', 'vip', 'dispensary', 'trade show', 'newsletter', 'retail', 'sample sent', 'reorder', 'distributor', 'cbd'];

export const SOURCES = ['website', 'trade show', 'referral', 'Paid Social', 'cold call', 'public api', null];

export const CITIES: Array<[string, string, string]> = [
  ['Arcata', 'CA', '95521'], ['Eureka', 'CA', '95501'], ['Denver', 'CO', '80202'], ['Portland', 'OR', '97201'],
  ['Seattle', 'WA', '98101'], ['Las Vegas', 'NV', '89101'], ['Phoenix', 'AZ', '85001'], ['Detroit', 'MI', '48201'],
  ['Boston', 'MA', '02108'], ['Chicago', 'IL', '60601'], ['Sacramento', 'CA', '95814'], ['Oklahoma City', 'OK', '73102'],
];
